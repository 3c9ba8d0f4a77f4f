using System.Net;
using MessagePack;

namespace ProcessFutures.Internal;

/// <summary>One cookie of a session's jar, as sent to a worker.</summary>
internal readonly record struct CookieData(string Name, string Value, string Domain, string Path, bool Secure, long ExpiresUtcTicks)
{
    private const int FieldCount = 6;

    public static CookieData From(Cookie cookie) => new(
        cookie.Name,
        cookie.Value,
        cookie.Domain,
        cookie.Path,
        cookie.Secure,
        cookie.Expires == DateTime.MinValue ? 0 : cookie.Expires.ToUniversalTime().Ticks);

    public Cookie ToCookie()
    {
        var cookie = new Cookie(Name, Value, Path, Domain) { Secure = Secure };
        if (ExpiresUtcTicks != 0)
        {
            cookie.Expires = new DateTime(ExpiresUtcTicks, DateTimeKind.Utc);
        }

        return cookie;
    }

    public void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.Write(Name);
        writer.Write(Value);
        writer.Write(Domain);
        writer.Write(Path);
        writer.Write(Secure);
        writer.Write(ExpiresUtcTicks);
    }

    public static CookieData Read(ref MessagePackReader reader)
    {
        int count = ContractSerializer.ReadFields(ref reader, FieldCount, "cookie");
        var cookie = new CookieData(
            ContractSerializer.ReadRequiredString(ref reader, "cookie name"),
            reader.ReadString() ?? string.Empty,
            reader.ReadString() ?? string.Empty,
            reader.ReadString() ?? "/",
            reader.ReadBoolean(),
            reader.ReadInt64());
        ContractSerializer.SkipExtra(ref reader, count, FieldCount);
        return cookie;
    }
}

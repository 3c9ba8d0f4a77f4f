using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace HttpBin.Internal;

/// <summary>Reads whole-number query parameters, with a default and a range, for the endpoints that take sizes and counts.</summary>
internal static class QueryValues
{
    /// <summary>
    /// The parameter <paramref name="name"/>, or <paramref name="defaultValue"/> when it is absent;
    /// a value that is not a whole number in [<paramref name="min"/>, <paramref name="max"/>] is a 400 answer.
    /// </summary>
    public static bool TryGet(HttpContext context, string name, long defaultValue, long min, long max, out long value, out IResult? problem)
    {
        string? text = context.Request.Query[name];
        problem = null;
        if (string.IsNullOrEmpty(text))
        {
            value = defaultValue;
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        problem = BadRequest($"The query parameter '{name}' must be a whole number from {min} to {max}, not '{text}'.");
        return false;
    }

    /// <summary>The seed of the deterministic bytes: <c>?seed=</c>, 0 when absent or not a number (as /bytes always did).</summary>
    public static ulong Seed(HttpContext context) =>
        ulong.TryParse(context.Request.Query["seed"], NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed) ? seed : 0;

    /// <summary>A 400 answer whose body is the message, in plain text.</summary>
    public static IResult BadRequest(string message) => Results.Text(message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
}

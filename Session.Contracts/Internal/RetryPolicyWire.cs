using MessagePack;

namespace ProcessFutures.Internal;

/// <summary>A <see cref="RetryPolicy"/> in the worker protocol: written by hand, like every protocol message.</summary>
internal static class RetryPolicyWire
{
    private const int FieldCount = 7;

    public static void Write(ref MessagePackWriter writer, RetryPolicy? policy)
    {
        if (policy is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(FieldCount);
        writer.Write(policy.MaxRetries);
        writer.Write(policy.BaseDelay.Ticks);
        writer.Write(policy.RespectRetryAfter);
        writer.WriteArrayHeader(policy.StatusCodes.Count);
        foreach (int code in policy.StatusCodes)
        {
            writer.Write(code);
        }

        writer.WriteArrayHeader(policy.Methods.Count);
        foreach (string method in policy.Methods)
        {
            writer.Write(method);
        }

        writer.Write(policy.AttemptTimeout?.Ticks ?? -1);
        writer.Write(policy.MaxDelay.Ticks);
    }

    public static RetryPolicy? Read(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        int count = ContractSerializer.ReadFields(ref reader, FieldCount, "retry policy");
        var policy = new RetryPolicy
        {
            MaxRetries = reader.ReadInt32(),
            BaseDelay = TimeSpan.FromTicks(reader.ReadInt64()),
            RespectRetryAfter = reader.ReadBoolean(),
        };
        int codes = reader.ReadArrayHeader();
        policy.StatusCodes = new List<int>(Math.Min(codes, 64));
        for (int i = 0; i < codes; i++)
        {
            policy.StatusCodes.Add(reader.ReadInt32());
        }

        int methods = reader.ReadArrayHeader();
        policy.Methods = new List<string>(Math.Min(methods, 64));
        for (int i = 0; i < methods; i++)
        {
            policy.Methods.Add(ContractSerializer.ReadRequiredString(ref reader, "retry method"));
        }

        long attemptTimeout = reader.ReadInt64();
        policy.AttemptTimeout = attemptTimeout < 0 ? null : TimeSpan.FromTicks(attemptTimeout);
        policy.MaxDelay = TimeSpan.FromTicks(reader.ReadInt64());
        ContractSerializer.SkipExtra(ref reader, count, FieldCount);
        return policy;
    }
}

using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace ProcessFutures.Internal;

/// <summary>
/// The contractless resolver, with every formatter wrapped in a depth count: MessagePack follows
/// object graphs without tracking what it has seen, so a result that references itself would
/// recurse until the stack overflows and takes the whole worker down. Past
/// <see cref="MaxDepth"/> nested values, serializing throws instead, and only that request fails.
/// The limit is the one <see cref="MessagePackSecurity.UntrustedData"/> applies when reading, so
/// whatever can be written can also be read back.
/// </summary>
internal sealed class DepthGuardResolver : IFormatterResolver
{
    public static readonly DepthGuardResolver Instance = new();

    public static readonly int MaxDepth = MessagePackSecurity.UntrustedData.MaximumObjectGraphDepth;

    [ThreadStatic]
    private static int t_depth;

    private DepthGuardResolver()
    {
    }

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter =
            ContractlessStandardResolver.Instance.GetFormatter<T>() is { } inner ? new Guarded<T>(inner) : null;
    }

    private sealed class Guarded<T>(IMessagePackFormatter<T> inner) : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
        {
            if (++t_depth > MaxDepth)
            {
                t_depth--;
                throw new MessagePackSerializationException(
                    $"The value nests more than {MaxDepth} levels deep: it contains a cycle (an object that refers back to itself), or is too deep to send. Return a tree, not a graph.");
            }

            try
            {
                inner.Serialize(ref writer, value, options);
            }
            finally
            {
                t_depth--;
            }
        }

        // Reading is bounded by MessagePackSecurity's own depth limit.
        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => inner.Deserialize(ref reader, options);
    }
}

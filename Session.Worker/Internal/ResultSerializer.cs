using MessagePack;

namespace ProcessFutures.Internal;

/// <summary>
/// The one set of MessagePack options, for a callback's result: contractless (plain records and
/// POCOs round-trip, as do <c>[MessagePackObject]</c> types and <see cref="Response"/>), never
/// typeless, hardened for untrusted data on both sides, and with a depth limit when writing too
/// (<see cref="DepthGuardResolver"/>). Nothing else of the protocol is MessagePack.
/// </summary>
internal static class ResultSerializer
{
    public static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithResolver(DepthGuardResolver.Instance).WithSecurity(MessagePackSecurity.UntrustedData);
}

using MessagePack;

namespace ProcessFutures.Internal;

/// <summary>
/// A message of the worker protocol, written and read by hand with MessagePack's
/// writer and reader: no reflection, no dynamic code generation at worker start-up, no
/// resolver that could be steered by the bytes. Fields are a fixed-length array in key order;
/// new fields are only ever appended (readers skip what they do not know).
/// </summary>
internal interface IWireMessage<TSelf>
    where TSelf : IWireMessage<TSelf>
{
    void Write(ref MessagePackWriter writer);

    static abstract TSelf Read(ref MessagePackReader reader);
}

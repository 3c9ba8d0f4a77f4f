using MessagePack;
using ProcessFutures.Internal;
using Session.Tests.Infrastructure;

namespace Session.Tests.Contracts;

/// <summary>Serializing callback results: a cycle is refused with an exception, not a stack overflow; deep trees within the read limit round-trip.</summary>
public sealed class DepthGuardTests
{
    [Test]
    public void ACycle_IsRefused_SayingSo()
    {
        var node = new Node { Name = "loop" };
        node.Next = node;

        MessagePackSerializationException exception = Assert.Throws<MessagePackSerializationException>(() => MessagePackSerializer.Serialize(node, ResultSerializer.Options))!;

        Assert.That(exception.GetBaseException().Message, Does.Contain("cycle").And.Contain(DepthGuardResolver.MaxDepth.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void ADeepChainWithinTheLimit_RoundTrips()
    {
        Node head = new() { Name = "0" };
        Node tail = head;
        for (int i = 1; i < 200; i++)
        {
            tail.Next = new Node { Name = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            tail = tail.Next;
        }

        Node back = MessagePackSerializer.Deserialize<Node>(MessagePackSerializer.Serialize(head, ResultSerializer.Options), ResultSerializer.Options);

        int count = 0;
        for (Node? n = back; n is not null; n = n.Next)
        {
            count++;
        }

        Assert.That(count, Is.EqualTo(200));
    }
}

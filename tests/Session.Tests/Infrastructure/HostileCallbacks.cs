using ProcessFutures;

namespace Session.Tests.Infrastructure;

/// <summary>
/// Callbacks that behave like a careless or hostile user's: they allocate without end, throw
/// huge messages, return cyclic graphs. Named static methods, so they run in workers too.
/// </summary>
public static class HostileCallbacks
{
    /// <summary>The bytes this process has allocated so far, and which process it is: measures what the request cost it.</summary>
    public static Allocation AllocatedBytes(Response response) => new() { ProcessId = Environment.ProcessId, Bytes = GC.GetTotalAllocatedBytes(precise: true) };

    /// <summary>Throws an exception whose message is 5 MB.</summary>
    public static int ThrowsHugeMessage(Response response) => throw new InvalidOperationException("huge:" + new string('m', 5 * 1024 * 1024));

    /// <summary>Returns a node that references itself.</summary>
    public static Node ReturnsCycle(Response response)
    {
        var node = new Node { Name = "loop" };
        node.Next = node;
        return node;
    }

    /// <summary>Allocates until the process runs out of memory (or its heap limit), keeping everything.</summary>
    public static int AllocatesWithoutEnd(Response response)
    {
        var kept = new List<byte[]>();
        while (true)
        {
            byte[] block = new byte[16 * 1024 * 1024];
            Array.Fill(block, (byte)7);
            kept.Add(block);
        }
    }

    /// <summary>Blocks its thread for ten minutes, ignoring any cancellation.</summary>
    public static int BlocksForever(Response response)
    {
        Thread.Sleep(TimeSpan.FromMinutes(10));
        return 0;
    }
}

/// <summary>A linked node: a graph MessagePack would follow for ever if it loops.</summary>
/// <summary>What a process had allocated when a callback ran there.</summary>
public sealed class Allocation
{
    public int ProcessId { get; set; }

    public long Bytes { get; set; }
}

public sealed class Node
{
    public string Name { get; set; } = string.Empty;

    public Node? Next { get; set; }
}

using ProcessFutures;
using ProcessFutures.Internal;
using ProcessFutures.Protocol;
using Session.Tests.Infrastructure;

namespace Session.Tests.Worker;

/// <summary>A worker's answer as frames (<see cref="FrameAnswer"/>), through the frame seam in memory.</summary>
public sealed class FrameAnswerTests
{
    /// <summary>
    /// The caller's task completes at the answer's end frame, so a progress report written after it
    /// arrives after the task (or never): the last report the caller saw would not be the final
    /// count. A report is posted from the exchange's thread and sent by a task of its own; the end
    /// may be written at any moment of that. The spin sweeps the moment over the sender's steps.
    /// </summary>
    [Test]
    public async Task TheLastProgressReport_IsWrittenBeforeTheAnswersEnd_NeverAfterIt()
    {
        var random = new Random(20261207);
        var late = new List<int>();
        for (int attempt = 0; attempt < 20000; attempt++)
        {
            (InMemoryStream client, InMemoryStream worker) = InMemoryStream.Pair();
            await using (client)
            await using (worker)
            {
                var toClient = new FrameChannel<ClientFrame, WorkerFrame>(worker, ClientFrame.Parser);
                var fromWorker = new FrameChannel<WorkerFrame, ClientFrame>(client, WorkerFrame.Parser);
                var answer = new FrameAnswer(toClient, callback: null, CancellationToken.None);

                answer.PostProgress(new TransferProgress(0, null, 1, 2));
                answer.PostProgress(new TransferProgress(0, null, 2, 2));
                Thread.SpinWait(random.Next(0, 4000));
                await answer.FailAsync(ErrorKind.Transport, new HttpRequestException("the end")).Within();

                long lastSeen = 0;
                while (await fromWorker.ReadAsync(CancellationToken.None).AsTask().Within() is { } frame)
                {
                    if (frame.Progress is { } progress)
                    {
                        lastSeen = progress.BytesReceived;
                    }

                    if (frame.End)
                    {
                        break;
                    }
                }

                if (lastSeen != 2)
                {
                    late.Add(attempt);
                }
            }
        }

        Assert.That(late, Is.Empty, "attempts whose final progress report was not written by the end of the answer");
    }
}

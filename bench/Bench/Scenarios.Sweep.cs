namespace Bench;

/// <summary>Requests/s against concurrency, warm, for the three executors: the chart's data.</summary>
internal sealed partial class Scenarios
{
    public const string SweepPath = SmallPath;

    /// <summary>For each level of <see cref="BenchSettings.SweepConcurrencies"/> and each executor: a fresh one, warmed up and measured briefly.</summary>
    public async Task<List<SweepPoint>> SweepAsync()
    {
        string url = _server.Url(SweepPath);
        var points = new List<SweepPoint>();
        foreach (int concurrency in _settings.SweepConcurrencies)
        {
            double rawRate = double.NaN;
            foreach (string executor in LoadSubject.Executors)
            {
                Progress($"sweep: concurrency {concurrency}, {executor}");
                await using LoadSubject subject = LoadSubject.Create(executor, concurrency, PoolWorkers, url, expectedLength: 100);
                WarmRun run = await MeasureWarmAsync(subject, concurrency, _settings.SweepWarmUp, _settings.SweepMeasure);
                if (executor == Raw)
                {
                    rawRate = run.Load.RequestsPerSecond;
                }

                points.Add(new SweepPoint(executor, subject.Setup, concurrency, run.Load, run.Cpu, run.Load.RequestsPerSecond / rawRate));
            }
        }

        return points;
    }
}

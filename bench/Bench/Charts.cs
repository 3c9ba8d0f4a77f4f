using ScottPlot;

namespace Bench;

/// <summary>
/// The pictures of a run, as PNG (ScottPlot on SkiaSharp): requests/s against concurrency, the
/// caller's and the worker's memory during a big download, a fresh executor's first seconds, and
/// requests/s over time across recycles.
/// </summary>
internal static class Charts
{
    public const string ConcurrencyFile = "requests-per-second-by-concurrency.png";
    public const string BigDownloadFile = "rss-during-big-download.png";
    public const string ColdFile = "cold-start-requests-per-second.png";
    public const string RecycleSmallFile = "recycling-small-body-requests-per-second.png";
    public const string RecycleBigFile = "recycling-10-mib-hashed-requests-per-second.png";

    private const int Width = 900;
    private const int Height = 520;

    /// <summary>
    /// Renders every chart the run has data for; writes them to <paramref name="directory"/>, or
    /// only renders them (to check that this machine can) when it is null. Returns the files written.
    /// </summary>
    public static List<string> Render(BenchReport report, string? directory)
    {
        var plots = new List<(string File, Plot Plot)>();
        if (report.Sweep.Count > 0)
        {
            plots.Add((ConcurrencyFile, Concurrency(report.Sweep)));
        }

        if (report.BigBodies.FirstOrDefault(b => b.Case == Scenarios.BigProcessDownload) is { Rss.Series: not null } download)
        {
            plots.Add((BigDownloadFile, BigDownload(download, report.BigBodies.FirstOrDefault(b => b.Case == Scenarios.BigRaw))));
        }

        if (report.Cold.Count > 0)
        {
            plots.Add((ColdFile, Cold(report.Cold)));
        }

        foreach (RecycleResult recycle in report.Recycle.Where(r => r.Recycling.RequestsPerSecondOverTime.Count > 0))
        {
            plots.Add((recycle.PathAndQuery == Scenarios.SmallPath ? RecycleSmallFile : RecycleBigFile, Recycle(recycle)));
        }

        var written = new List<string>();
        foreach ((string file, Plot plot) in plots)
        {
            if (directory is null)
            {
                _ = plot.GetImageBytes(Width, Height, ImageFormat.Png);
                continue;
            }

            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, file);
            plot.SavePng(path, Width, Height);
            written.Add(path);
        }

        return written;
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    /// <summary>Requests/s against concurrency (log 2 axis) for raw, thread and process.</summary>
    private static Plot Concurrency(IReadOnlyList<SweepPoint> sweep)
    {
        Plot plot = NewPlot("Small body (100 B), warm: requests/s against concurrency", "Concurrency (requests in flight)", "Requests/s");
        int[] levels = [.. sweep.Select(p => p.Concurrency).Distinct().Order()];
        foreach (string executor in LoadSubject.Executors)
        {
            SweepPoint[] points = [.. sweep.Where(p => p.Executor == executor).OrderBy(p => p.Concurrency)];
            var scatter = plot.Add.Scatter(points.Select(p => Math.Log2(p.Concurrency)).ToArray(), points.Select(p => p.Load.RequestsPerSecond).ToArray());
            scatter.LegendText = executor;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
        }

        plot.Axes.Bottom.SetTicks([.. levels.Select(l => Math.Log2(l))], [.. levels.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsY(0, sweep.Max(p => p.Load.RequestsPerSecond) * 1.1);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Caller and worker RSS over time while the pool downloads the big body to a file; raw HttpClient's caller for reference.</summary>
    private static Plot BigDownload(BigBodyResult download, BigBodyResult? raw)
    {
        Plot plot = NewPlot($"Resident memory during a {Report.Size(download.BodyBytes)} DownloadTo through the process pool", "Seconds since the request", "RSS (MiB)");
        IReadOnlyList<RssSample> series = download.Rss.Series!;
        var caller = plot.Add.Scatter(series.Select(s => s.Seconds).ToArray(), series.Select(s => s.ClientBytes / 1048576.0).ToArray());
        caller.LegendText = "caller (ProcessPoolExecutor, DownloadTo)";
        caller.LineWidth = 2;
        caller.MarkerSize = 0;
        int number = 0;
        foreach (int pid in series.SelectMany(s => s.WorkerBytes.Keys).Distinct())
        {
            RssSample[] samples = [.. series.Where(s => s.WorkerBytes.ContainsKey(pid))];
            var worker = plot.Add.Scatter(samples.Select(s => s.Seconds).ToArray(), samples.Select(s => s.WorkerBytes[pid] / 1048576.0).ToArray());
            worker.LegendText = $"worker {++number} (pid {pid})";
            worker.LineWidth = 2;
            worker.MarkerSize = 0;
        }

        if (raw?.Rss.Series is { Count: > 0 } rawSeries)
        {
            var reference = plot.Add.Scatter(rawSeries.Select(s => s.Seconds).ToArray(), rawSeries.Select(s => s.ClientBytes / 1048576.0).ToArray());
            reference.LegendText = "caller (raw HttpClient to a file, for reference)";
            reference.LineWidth = 1.5f;
            reference.MarkerSize = 0;
            reference.LinePattern = LinePattern.Dashed;
        }

        plot.Axes.AutoScale();
        double top = series.Max(s => Math.Max(s.ClientBytes, s.WorkerBytes.Values.DefaultIfEmpty(0).Max())) / 1048576.0;
        plot.Axes.SetLimitsY(0, top * 1.25);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    /// <summary>Requests/s in each bucket since construction, for a fresh raw client, thread pool and process pool.</summary>
    private static Plot Cold(IReadOnlyList<ColdResult> cold)
    {
        ColdResult first = cold[0];
        Plot plot = NewPlot(
            $"Cold start: requests/s of a fresh executor, small body, concurrency {first.Concurrency}",
            $"Seconds since construction ({first.Load.BucketSeconds:0.0} s buckets)",
            "Requests/s");
        foreach (ColdResult result in cold)
        {
            double width = result.Load.BucketSeconds ?? 1;
            IReadOnlyList<long> buckets = result.Load.Buckets ?? [];
            var scatter = plot.Add.Scatter(buckets.Select((_, i) => (i + 1) * width).ToArray(), buckets.Select(b => b / width).ToArray());
            scatter.LegendText = result.Executor;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 6;
        }

        plot.Axes.AutoScale();
        plot.Axes.SetLimits(0, cold.Max(c => (c.Load.Buckets?.Count ?? 0) * (c.Load.BucketSeconds ?? 1)) + 0.25, 0, cold.Max(c => c.Load.Buckets?.DefaultIfEmpty(0).Max() / (c.Load.BucketSeconds ?? 1) ?? 0) * 1.1);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    /// <summary>
    /// Requests/s in each bucket of the measured windows (laid end to end), recycling against not
    /// recycling, with a mark at the bottom where each recycle began (a worker began to drain).
    /// </summary>
    private static Plot Recycle(RecycleResult result)
    {
        RecyclePoolRun recycling = result.Recycling;
        double width = recycling.BucketSeconds;
        string body = result.HashedInWorker ? $"{Report.Size(result.BodyBytes)} body hashed in the worker" : $"{result.BodyBytes} B body";
        Plot plot = NewPlot(
            $"Recycling every {recycling.MaxTasksPerWorker} tasks: requests/s, {body}, concurrency {result.Concurrency}",
            $"Seconds of measured load ({width * 1e3:0} ms buckets{(recycling.Windows > 1 ? $"; {recycling.Windows} windows end to end" : string.Empty)})",
            "Requests/s");
        foreach ((string name, RecyclePoolRun run) in new[] { ($"recycling every {recycling.MaxTasksPerWorker} tasks", recycling), ("not recycling", result.NotRecycling) })
        {
            IReadOnlyList<double> rates = run.RequestsPerSecondOverTime;
            var scatter = plot.Add.Scatter(rates.Select((_, i) => (i + 1) * width).ToArray(), rates.ToArray());
            scatter.LegendText = name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 4;
        }

        if (recycling.RecycleBeganSeconds.Count > 0)
        {
            var began = plot.Add.Scatter(recycling.RecycleBeganSeconds.ToArray(), recycling.RecycleBeganSeconds.Select(_ => 0.0).ToArray());
            began.LegendText = "a recycle began (worker draining)";
            began.LineWidth = 0;
            began.MarkerSize = 8;
            began.MarkerShape = MarkerShape.VerticalBar;
        }

        for (int window = 1; window < recycling.Windows; window++)
        {
            var seam = plot.Add.VerticalLine(recycling.MeasuredSeconds / recycling.Windows * window);
            seam.LinePattern = LinePattern.Dashed;
            seam.LineWidth = 1;
        }

        double top = new[] { recycling, result.NotRecycling }.SelectMany(r => r.RequestsPerSecondOverTime).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimits(0, recycling.MeasuredSeconds + width, -0.04 * top, top * 1.15);

        // Outside the data area: both curves and the recycle marks use all of it.
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client.DependencyInjection;

/// <summary>Named sessions from a host's container, as AddHttpClient makes named clients: configured from configuration, validated at start, their executor owned by the container.</summary>
public sealed class AddFuturesSessionTests
{
    [Test]
    public async Task AProcessPoolSession_FromInMemoryConfiguration_Works_IsHealthy_AndItsWorkersStopWithTheContainer()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FuturesSessions:crawler:BaseAddress"] = TestServer.Url("/"),
            ["FuturesSessions:crawler:Headers:X-From"] = "configuration",
            ["FuturesSessions:crawler:Timeout"] = "00:00:20",
            ["FuturesSessions:crawler:ProcessPool:Workers"] = "1",
            ["FuturesSessions:crawler:ProcessPool:ConcurrencyPerWorker"] = "2",
        });
        builder.Services.AddMetrics();
        builder.Services.AddFuturesSession("crawler", o => o.Headers["X-From-Code"] = "yes").BindConfiguration("FuturesSessions:crawler").AddHealthCheck();
        IHost host = builder.Build();
        var measured = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "ProcessFutures" && ReferenceEquals(instrument.Meter.Scope, host.Services.GetRequiredService<IMeterFactory>()))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => { lock (measured) { measured.Add(instrument.Name); } });
        listener.Start();
        await host.StartAsync().Within();
        int[] workers;
        try
        {
            IFuturesSessionFactory factory = host.Services.GetRequiredService<IFuturesSessionFactory>();
            await using FuturesSession session = factory.CreateSession("crawler");
            await using FuturesSession other = factory.CreateSession("crawler");

            Response response = await session.GetAsync("headers").Within();
            Echo echo = response.Json<Echo>()!;
            HealthReport health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().Within();
            var pool = (ProcessPoolExecutor)session.Executor;
            workers = [.. pool.WorkerProcessIds];

            Assert.That(response.ProcessId, Is.Not.EqualTo(Environment.ProcessId), "a process pool, from the ProcessPool section");
            Assert.That(pool.MaxWorkers, Is.EqualTo(1));
            Assert.That(echo.Header("X-From"), Is.EqualTo("configuration"));
            Assert.That(echo.Header("X-From-Code"), Is.EqualTo("yes"));
            Assert.That(other.Executor, Is.SameAs(session.Executor), "sessions of one name share its executor");
            Assert.That(other.Options, Is.Not.SameAs(session.Options), "each has its own options");
            Assert.That(health.Status, Is.EqualTo(HealthStatus.Healthy), health.Entries.FirstOrDefault().Value.Description);
            lock (measured)
            {
                Assert.That(measured, Does.Contain("processfutures.request.duration"), "the executor's meter came from the host's IMeterFactory");
            }
        }
        finally
        {
            await host.StopAsync().Within();
            if (host is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().Within();
            }
        }

        Assert.That(workers, Is.Not.Empty);
        await Waits.UntilAsync(() => !workers.Any(WorkerProcesses.IsAlive), "the container's disposal to stop the workers");
    }

    [Test]
    public async Task SessionsOfOneName_DoNotShareTheirRetryPolicy()
    {
        var services = new ServiceCollection();
        services.AddFuturesSession("retrying", o => o.Retry = new RetryPolicy { MaxRetries = 2 });
        await using ServiceProvider provider = services.BuildServiceProvider();
        IFuturesSessionFactory factory = provider.GetRequiredService<IFuturesSessionFactory>();
        await using FuturesSession session = factory.CreateSession("retrying");
        await using FuturesSession other = factory.CreateSession("retrying");

        session.Options.Retry!.MaxRetries = 0;
        session.Options.Retry.StatusCodes.Add(418);

        Assert.That(other.Options.Retry!.MaxRetries, Is.EqualTo(2), "one session's change stays its own");
        Assert.That(other.Options.Retry.StatusCodes, Does.Not.Contain(418));
        Assert.That(provider.GetRequiredService<IOptionsMonitor<SessionOptions>>().Get("retrying").Retry!.MaxRetries, Is.EqualTo(2), "the name's options are untouched");
    }

    [Test]
    public void InvalidOptions_AreRefusedWhenTheHostStarts_EveryProblemInOneMessage()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FuturesSessions:bad:MaxRedirects"] = "-1",
            ["FuturesSessions:bad:BaseAddress"] = "ftp://example.invalid/",
            ["FuturesSessions:bad:ProcessPool:ConcurrencyPerWorker"] = "0",
            ["FuturesSessions:bad:ProcessPool:MaxTasksPerWorker"] = "-5",
        });
        builder.Services.AddFuturesSession("bad").BindConfiguration("FuturesSessions:bad");
        using IHost host = builder.Build();

        OptionsValidationException exception = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().Within())!;

        Assert.That(exception.Message, Does.Contain("MaxRedirects '-1'").And.Contain("ftp://example.invalid/"));
        Assert.That(exception.Message, Does.Contain("ConcurrencyPerWorker '0'").And.Contain("MaxTasksPerWorker '-5'"));
    }

    [Test]
    public void AnUnknownName_IsRefused_SayingWhatToAdd()
    {
        var services = new ServiceCollection();
        services.AddFuturesSession("known");
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IFuturesSessionFactory>().CreateSession("unknown"), Throws.InvalidOperationException.With.Message.Contains("AddFuturesSession(\"unknown\""));
    }
}

using Session.Worker.Internal;

// Started by ProcessPoolExecutor in framework-dependent apps, never by hand (see WorkerHost).
return WorkerHost.Run(args);

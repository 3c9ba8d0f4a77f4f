using ProcessFutures;

// With `--remote` on the command line, RunWorkerIfRequested runs the remote worker (TLS on TCP,
// a token on every call; configured by the PROCESSFUTURES_* environment, see
// docs/remote-workers.md) and ends the process when the worker stops: it never returns then.
ProcessPoolExecutor.RunWorkerIfRequested(args);

Console.Error.WriteLine(
    "usage: dotnet WorkerHost.dll --remote\n"
    + "Runs a ProcessFutures remote worker. Set PROCESSFUTURES_TOKEN or PROCESSFUTURES_TOKEN_FILE, "
    + "PROCESSFUTURES_CERTIFICATE and PROCESSFUTURES_CERTIFICATE_KEY (PEM files), and optionally "
    + "PROCESSFUTURES_LISTEN (default https://0.0.0.0:5443) and PROCESSFUTURES_CLIENT_CA.");
return 2;

// Program.cs of the console app the package smoke test makes on the package ProcessFutures.Contracts
// alone (see ../run.sh): what a library of callbacks sees. It has to build with warnings as errors;
// run.sh reads the shared frameworks its runtimeconfig.json asks for.
using ProcessFutures;

Console.WriteLine($"smoke: {typeof(Response).FullName} and {typeof(RequestOptions).FullName} come from {typeof(Response).Assembly.GetName().Name}");

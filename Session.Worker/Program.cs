
namespace ProcessFutures.Internal;

/// <summary>
/// The entry point when the pool starts ProcessFutures.dll with the dotnet host (framework-dependent
/// apps), never by hand (see <see cref="WorkerHost"/>). An explicit internal class, not top-level
/// statements: for those, ASP.NET Core generates a public global <c>Program</c>, which every app
/// referencing the package would then see beside its own (WebApplicationFactory&lt;Program&gt;).
/// </summary>
internal static class Program
{
    private static int Main(string[] args) => WorkerHost.Run(args);
}

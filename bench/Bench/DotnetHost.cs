namespace Bench;

/// <summary>The dotnet host (muxer) that runs the processes the bench starts from a .dll: HttpBin, remote workers.</summary>
internal static class DotnetHost
{
    /// <summary>
    /// The <c>dotnet</c> of the shared runtime this process runs on (<c>ROOT/dotnet</c>, for a
    /// runtime in <c>ROOT/shared/Microsoft.NETCore.App/VERSION/</c>), as the process pool finds
    /// it: right under <c>dotnet run</c> too, where this process is the apphost. Else
    /// <c>dotnet</c> from PATH.
    /// </summary>
    public static string Path()
    {
        var runtime = new DirectoryInfo(System.IO.Path.GetDirectoryName(typeof(object).Assembly.Location) ?? string.Empty);
        if (runtime.Parent is { Name: "Microsoft.NETCore.App", Parent: { Name: "shared", Parent: { } root } })
        {
            string muxer = System.IO.Path.Combine(root.FullName, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            if (File.Exists(muxer))
            {
                return muxer;
            }
        }

        return "dotnet";
    }
}

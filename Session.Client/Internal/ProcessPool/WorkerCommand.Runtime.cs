using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace ProcessFutures.Internal;

/// <summary>The shared runtime this app runs on, and the runtimeconfig that runs the worker on it.</summary>
internal sealed partial class WorkerCommand
{
    private const string CoreFramework = "Microsoft.NETCore.App";

    /// <summary>
    /// The dotnet host (muxer) of the shared runtime this process runs on: the runtime lives in
    /// <c>ROOT/shared/Microsoft.NETCore.App/VERSION/</c> and the host is <c>ROOT/dotnet</c>.
    /// Null for a self-contained or single-file app, whose runtime is its own.
    /// </summary>
    internal static string? SharedRuntimeMuxer()
    {
        string? root = SharedRuntimeDirectory();
        string? muxer = root is null ? null : Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(muxer) ? muxer : null;
    }

    /// <summary>ROOT, when this process runs on a shared runtime in <c>ROOT/shared/Microsoft.NETCore.App/VERSION/</c>.</summary>
    private static string? SharedRuntimeDirectory()
    {
        var version = new DirectoryInfo(Path.TrimEndingDirectorySeparator(RuntimeDirectory()));
        return version.Parent is { Name: CoreFramework, Parent: { Name: "shared", Parent: { } root } } ? root.FullName : null;
    }

    [UnconditionalSuppressMessage("SingleFile", "IL3000:Avoid accessing Assembly file path when publishing as a single file",
        Justification = "Empty when the runtime is bundled into a single-file app, which then has no shared runtime: the result is then not under shared/, as wanted.")]
    private static string RuntimeDirectory() =>
        typeof(object).Assembly.Location is { Length: > 0 } coreLib ? Path.GetDirectoryName(coreLib)! : AppContext.BaseDirectory;

    /// <summary>
    /// The deps.json the host read for this app, when it lies in <paramref name="directory"/>: from
    /// the host's list (APP_CONTEXT_DEPS_FILES), else the entry assembly's, else none (the host then
    /// takes every assembly in the worker's directory, which is the app's).
    /// </summary>
    private static string? AppDepsFile(string directory)
    {
        string wanted = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        foreach (string file in DepsFiles())
        {
            if (string.Equals(Path.GetDirectoryName(file), wanted, StringComparison.Ordinal) && File.Exists(file))
            {
                return file;
            }
        }

        string? entry = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name;
        string fallback = Path.Combine(wanted, $"{entry}.deps.json");
        return entry is not null && File.Exists(fallback) ? fallback : null;
    }

    /// <summary>
    /// Writes the worker's runtimeconfig: the shared frameworks at the versions this process runs
    /// on, and no others (an app on ProcessFutures alone asks for Microsoft.NETCore.App only, and so
    /// does its worker; one that uses ProcessFutures.Remote's gRPC transport has ASP.NET Core
    /// already; the host takes the latest patch installed, as it did for the app), and the worker's own runtime settings (small, mostly idle processes:
    /// workstation GC without a background thread, no tiered PGO). Written whole or not at all (a
    /// temporary file, then renamed), so that a file that exists is a file that is complete.
    /// </summary>
    public static void WriteRuntimeConfig(string path)
    {
        string temporary = path + ".new";
        WriteRuntimeConfigTo(temporary);
        File.Move(temporary, path, overwrite: true);
    }

    private static void WriteRuntimeConfigTo(string path)
    {
        List<(string Name, string Version)> frameworks = SharedFrameworks();
        string sameBand = $"{Environment.Version.Major}.{Environment.Version.Minor}.0";
        if (!frameworks.Exists(f => f.Name == CoreFramework))
        {
            frameworks.Insert(0, (CoreFramework, Path.GetFileName(Path.TrimEndingDirectorySeparator(RuntimeDirectory())) is { } v && Version.TryParse(v, out _) ? v : sameBand));
        }

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartObject("runtimeOptions");
        json.WriteString("tfm", $"net{Environment.Version.Major}.{Environment.Version.Minor}");
        json.WriteStartArray("frameworks");
        foreach ((string name, string version) in frameworks)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("version", version);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("configProperties");
        json.WriteBoolean("System.GC.Server", false);
        json.WriteBoolean("System.GC.Concurrent", false);
        json.WriteBoolean("System.Runtime.TieredPGO", false);
        if (AppContext.TryGetSwitch("System.Globalization.Invariant", out bool invariant))
        {
            json.WriteBoolean("System.Globalization.Invariant", invariant);
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// The shared frameworks this process runs on, from the paths the host gave it that lie in
    /// <c>ROOT/shared/NAME/VERSION/</c> of this runtime's ROOT (the app's own files may lie anywhere).
    /// </summary>
    private static List<(string Name, string Version)> SharedFrameworks()
    {
        var frameworks = new List<(string Name, string Version)>();
        if (SharedRuntimeDirectory() is not { } root)
        {
            return frameworks;
        }

        string shared = Path.Combine(root, "shared");
        foreach (string file in DepsFiles().Concat(TrustedPlatformAssemblies()))
        {
            var version = new DirectoryInfo(Path.GetDirectoryName(file)!);
            if (version.Parent is { Parent: { } parent } framework
                && string.Equals(Path.TrimEndingDirectorySeparator(parent.FullName), shared, StringComparison.Ordinal)
                && !frameworks.Exists(f => f.Name == framework.Name))
            {
                frameworks.Add((framework.Name, version.Name));
            }
        }

        // Microsoft.NETCore.App first: the others build on it.
        return [.. frameworks.OrderBy(f => f.Name == CoreFramework ? 0 : 1)];
    }

    /// <summary>The deps.json files the host read (the app's, then each framework's): a runtime property, separated by ';' on every OS.</summary>
    private static IEnumerable<string> DepsFiles() => HostPaths("APP_CONTEXT_DEPS_FILES", ';');

    /// <summary>The assemblies the host resolved, the frameworks' among them: a runtime property, separated by the path separator.</summary>
    private static IEnumerable<string> TrustedPlatformAssemblies() => HostPaths("TRUSTED_PLATFORM_ASSEMBLIES", Path.PathSeparator);

    private static IEnumerable<string> HostPaths(string property, char separator) =>
        AppContext.GetData(property) is string list
            ? list.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(Path.IsPathFullyQualified)
            : [];
}

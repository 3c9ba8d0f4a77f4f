using System.Reflection;
using System.Runtime.Loader;

namespace ProcessFutures.Internal;

/// <summary>
/// Loads the assembly that declares a callback, with the dependencies its deps.json names.
/// Whatever the worker itself ships (the framework, ProcessFutures.Contracts, MessagePack, …) is shared
/// from the worker's own context instead, so <c>Response</c> is one type on both sides of the
/// call and MessagePack attributes in user types are the ones the worker's serializer knows.
/// </summary>
internal sealed class UserLoadContext : AssemblyLoadContext
{
    private static readonly HashSet<string> s_workerAssemblies = ListWorkerAssemblies();

    private readonly AssemblyDependencyResolver _resolver;

    public UserLoadContext(string assemblyPath)
        : base($"callbacks: {Path.GetFileName(assemblyPath)}")
    {
        _resolver = new AssemblyDependencyResolver(assemblyPath);
    }

    public static bool IsWorkerAssembly(string name) => s_workerAssemblies.Contains(name);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null || IsWorkerAssembly(assemblyName.Name))
        {
            return null;
        }

        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private static HashSet<string> ListWorkerAssemblies()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
        {
            foreach (string path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        return names;
    }
}

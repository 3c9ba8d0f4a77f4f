using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// Finds the method a <see cref="Callback"/> names, once per name (assemblies once per file or name).
/// A name that is not a plain assembly name (a path, '..', a rooted or invalid name) is refused
/// before any file is touched, whoever sent it.
/// </summary>
/// <remarks>
/// <para>
/// A local worker (same machine, same user as its pool) loads the file the caller loaded the
/// callback from, in a <see cref="UserLoadContext"/> with its deps.json; an assembly that is part of
/// this process already (listed in the deps.json it runs with, or bundled into the single-file app
/// it runs in) is taken from the default context, by name. It runs the exact method the caller
/// named (same build, same metadata token).
/// </para>
/// <para>
/// A remote worker (<c>remote</c>) never loads from a path a caller names, and refuses one: it
/// looks for the assembly by simple name among those it ships (its deps.json; for an app that is
/// its own worker, the app's), then for a public static method, of that name, of a public type,
/// whatever build the caller has.
/// </para>
/// </remarks>
internal sealed class CallbackRegistry(bool remote = false)
{
    private readonly ConcurrentDictionary<(string Path, string Name), Lazy<Assembly>> _assemblies = new();
    private readonly ConcurrentDictionary<Callback, ResolvedCallback> _methods = new();

    /// <summary>The most callbacks kept resolved; past it the cache starts again (names come from clients, so what is kept must stay bounded).</summary>
    private const int MaxKept = 1024;

    public ResolvedCallback Resolve(Callback callback)
    {
        if (_methods.TryGetValue(callback, out ResolvedCallback? resolved))
        {
            return resolved;
        }

        resolved = ResolvedCallback.From(Find(callback));
        if (_methods.Count >= MaxKept)
        {
            _methods.Clear();
        }

        return _methods.GetOrAdd(callback.Clone(), resolved);
    }

    /// <summary>The simple name of <paramref name="assemblyName"/> when it is a plain assembly name; otherwise throws, saying why.</summary>
    public static string SimpleName(string assemblyName, string displayName)
    {
        string? simple = null;
        try
        {
            simple = new AssemblyName(assemblyName).Name;
        }
        catch (Exception exception) when (exception is ArgumentException or FileLoadException)
        {
        }

        if (string.IsNullOrWhiteSpace(simple)
            || simple.Contains('/', StringComparison.Ordinal) || simple.Contains('\\', StringComparison.Ordinal)
            || simple.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(simple)
            || simple.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || simple.Length > 255)
        {
            throw new InvalidOperationException(
                $"The callback '{displayName}' names the assembly '{Printable(assemblyName)}', which is not a plain assembly name (a path, '..', or an invalid name): a worker finds callbacks by assembly name only, never by a path in the request.");
        }

        return simple;
    }

    private static string Printable(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");

    private MethodInfo Find(Callback callback)
    {
        string display = $"{callback.TypeName}.{callback.MethodName}";
        string simpleName = SimpleName(callback.AssemblyName, display);
        if (remote)
        {
            if (callback.AssemblyPath.Length > 0)
            {
                throw new InvalidOperationException($"The callback '{display}' came with a file path: a remote worker never loads from a path a client sends, only the assemblies it ships.");
            }

            return FindShipped(callback, simpleName, display);
        }

        Assembly assembly = LoadOnce((callback.AssemblyPath, simpleName), key => LoadLocal(key.Path, key.Name));
        Module module = assembly.ManifestModule;
        if (module.ModuleVersionId.ToString("N") != callback.ModuleVersionId)
        {
            throw new InvalidOperationException(
                $"The callback '{display}' cannot run: the assembly '{(callback.AssemblyPath.Length > 0 ? callback.AssemblyPath : simpleName)}' is not the build the client loaded (it was rebuilt since). Restart the client, or the pool.");
        }

        if (module.ResolveMethod(callback.MetadataToken) is not MethodInfo method || !method.IsStatic || method.Name != callback.MethodName)
        {
            throw new InvalidOperationException($"The callback '{display}' was not found as a static method in '{simpleName}'.");
        }

        return method;
    }

    private MethodInfo FindShipped(Callback callback, string simpleName, string display)
    {
        // By name, in the default context: it resolves only what the app ships (its deps.json, or
        // its single-file bundle) and the framework, never a file elsewhere.
        Assembly assembly = LoadOnce((string.Empty, simpleName), key => LoadShipped(key.Name, display));
        Type? type = assembly.GetType(callback.TypeName);
        if (type is null || !type.IsVisible)
        {
            throw new InvalidOperationException($"This worker's copy of '{simpleName}' has no public type '{callback.TypeName}' (for the callback '{display}'): a remote worker runs only public static methods of public types.");
        }

        MethodInfo[] candidates = [.. type.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == callback.MethodName && IsCallbackShape(m))];
        if (assembly.ManifestModule.ModuleVersionId.ToString("N") == callback.ModuleVersionId
            && assembly.ManifestModule.ResolveMethod(callback.MetadataToken) is MethodInfo exact && candidates.Contains(exact))
        {
            return exact;
        }

        return candidates.Length == 1
            ? candidates[0]
            : throw new InvalidOperationException($"This worker's copy of '{simpleName}' has {(candidates.Length == 0 ? "no" : "more than one")} public static method '{callback.MethodName}' in '{callback.TypeName}' taking (Response) or (Response, CancellationToken).");
    }

    /// <summary>Loads an assembly once per key; a load that failed is not kept (names come from clients: what is kept stays bounded by what loads).</summary>
    private Assembly LoadOnce((string Path, string Name) key, Func<(string Path, string Name), Assembly> load)
    {
        Lazy<Assembly> lazy = _assemblies.GetOrAdd(key, static (key, load) => new Lazy<Assembly>(() => load(key)), load);
        try
        {
            return lazy.Value;
        }
        catch
        {
            _assemblies.TryRemove(new KeyValuePair<(string, string), Lazy<Assembly>>(key, lazy));
            throw;
        }
    }

    private static Assembly LoadShipped(string simpleName, string display)
    {
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(simpleName));
        }
        catch (FileNotFoundException)
        {
            throw new InvalidOperationException(
                $"This worker does not ship the callbacks assembly '{simpleName}' (for '{display}'): a remote worker runs callbacks only from the assemblies its own app lists (its deps.json). Reference the callbacks library from the worker's host app and rebuild its image.");
        }
    }

    private static bool IsCallbackShape(MethodInfo method)
    {
        ParameterInfo[] parameters = method.GetParameters();
        return parameters.Length >= 1 && parameters[0].ParameterType == typeof(Response)
            && (parameters.Length == 1 || (parameters.Length == 2 && parameters[1].ParameterType == typeof(CancellationToken)));
    }

    private static Assembly LoadLocal(string path, string simpleName)
    {
        if (path.Length == 0 || UserLoadContext.IsWorkerAssembly(simpleName))
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(simpleName));
        }

        return new UserLoadContext(path).LoadFromAssemblyPath(path);
    }
}

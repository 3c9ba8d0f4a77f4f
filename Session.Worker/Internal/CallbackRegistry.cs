using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;

namespace ProcessFutures.Internal;

/// <summary>
/// Finds the method a <see cref="CallbackReference"/> names: its assembly is loaded once per
/// path and name (in a <see cref="UserLoadContext"/>), the method once per reference. An assembly
/// that is part of this process already (listed in the deps.json it runs with, or bundled into the
/// single-file app this worker runs in, where it has no file) is taken from the default load
/// context, by name.
/// </summary>
/// <remarks>
/// A remote worker (<c>byNameOnly</c>) never loads from a path the caller names: it finds the
/// assembly by name among its own (the image carries the callbacks' assemblies), and the method by
/// type and name, whatever build the caller has.
/// </remarks>
internal sealed class CallbackRegistry(bool byNameOnly = false)
{
    private readonly ConcurrentDictionary<(string Path, string Name), Lazy<Assembly>> _assemblies = new();
    private readonly ConcurrentDictionary<CallbackReference, ResolvedCallback> _methods = new();

    public ResolvedCallback Resolve(CallbackReference reference) =>
        _methods.TryGetValue(reference, out ResolvedCallback? callback) ? callback : _methods.GetOrAdd(reference, ResolvedCallback.From(Find(reference)));

    private MethodInfo Find(CallbackReference reference)
    {
        if (byNameOnly)
        {
            return FindByName(reference);
        }

        Assembly assembly = _assemblies.GetOrAdd((reference.AssemblyPath, reference.AssemblyName), key => new Lazy<Assembly>(() => Load(key.Path, key.Name))).Value;
        Module module = assembly.ManifestModule;
        if (module.ModuleVersionId != reference.ModuleVersionId)
        {
            throw new InvalidOperationException(
                $"The callback '{reference.DisplayName}' cannot run: the assembly '{reference.AssemblyDisplayName}' is not the build the client loaded (it was rebuilt since). Restart the client, or the pool.");
        }

        if (module.ResolveMethod(reference.MetadataToken) is not MethodInfo method || !method.IsStatic || method.Name != reference.MethodName)
        {
            throw new InvalidOperationException($"The callback '{reference.DisplayName}' was not found as a static method in '{reference.AssemblyDisplayName}'.");
        }

        return method;
    }

    private MethodInfo FindByName(CallbackReference reference)
    {
        string simpleName = new AssemblyName(reference.AssemblyName).Name ?? reference.AssemblyName;
        Assembly assembly = _assemblies.GetOrAdd((string.Empty, simpleName), key => new Lazy<Assembly>(() => LoadOwn(key.Name, reference))).Value;
        Type type = assembly.GetType(reference.TypeName)
            ?? throw new InvalidOperationException($"This worker's copy of '{simpleName}' has no type '{reference.TypeName}' (for the callback '{reference.DisplayName}'): the worker's image carries another version of that assembly.");
        MethodInfo[] candidates = [.. type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static).Where(m => m.Name == reference.MethodName && IsCallbackShape(m))];
        if (assembly.ManifestModule.ModuleVersionId == reference.ModuleVersionId && assembly.ManifestModule.ResolveMethod(reference.MetadataToken) is MethodInfo exact && candidates.Contains(exact))
        {
            return exact;
        }

        return candidates.Length == 1
            ? candidates[0]
            : throw new InvalidOperationException($"This worker's copy of '{simpleName}' has {(candidates.Length == 0 ? "no" : "more than one")} static method '{reference.MethodName}' in '{reference.TypeName}' taking (Response) or (Response, CancellationToken).");
    }

    private static bool IsCallbackShape(MethodInfo method)
    {
        ParameterInfo[] parameters = method.GetParameters();
        return parameters.Length >= 1 && parameters[0].ParameterType == typeof(ProcessFutures.Response)
            && (parameters.Length == 1 || (parameters.Length == 2 && parameters[1].ParameterType == typeof(CancellationToken)));
    }

    /// <summary>An assembly of this worker's own: part of its app, or a file in its directory.</summary>
    private static Assembly LoadOwn(string simpleName, CallbackReference reference)
    {
        if (UserLoadContext.IsWorkerAssembly(simpleName))
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(simpleName));
        }

        string path = Path.Combine(AppContext.BaseDirectory, simpleName + ".dll");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"This worker does not have the callbacks assembly '{simpleName}' (for '{reference.TypeName}.{reference.MethodName}'): " +
                $"a remote worker runs only callbacks whose assemblies are in its own directory ({AppContext.BaseDirectory}). Add '{simpleName}.dll' and what it depends on to the worker's image.");
        }

        return new UserLoadContext(path).LoadFromAssemblyPath(path);
    }

    private static Assembly Load(string path, string fullName)
    {
        string simpleName = fullName.Length > 0 && new AssemblyName(fullName).Name is { } named ? named : Path.GetFileNameWithoutExtension(path);
        if (path.Length == 0 || UserLoadContext.IsWorkerAssembly(simpleName))
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(simpleName));
        }

        return new UserLoadContext(path).LoadFromAssemblyPath(path);
    }
}

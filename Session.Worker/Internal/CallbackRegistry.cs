using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Session.Contracts.Internal;

namespace Session.Worker.Internal;

/// <summary>
/// Finds the method a <see cref="CallbackReference"/> names: its assembly is loaded once per
/// path and name (in a <see cref="UserLoadContext"/>), the method once per reference. An assembly
/// that is part of this process already (listed in the deps.json it runs with, or bundled into the
/// single-file app this worker runs in, where it has no file) is taken from the default load
/// context, by name.
/// </summary>
internal sealed class CallbackRegistry
{
    private readonly ConcurrentDictionary<(string Path, string Name), Lazy<Assembly>> _assemblies = new();
    private readonly ConcurrentDictionary<CallbackReference, ResolvedCallback> _methods = new();

    public ResolvedCallback Resolve(CallbackReference reference) =>
        _methods.TryGetValue(reference, out ResolvedCallback? callback) ? callback : _methods.GetOrAdd(reference, ResolvedCallback.From(Find(reference)));

    private MethodInfo Find(CallbackReference reference)
    {
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

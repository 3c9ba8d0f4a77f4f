using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Session.Contracts.Internal;

namespace Session.Worker.Internal;

/// <summary>
/// Finds the method a <see cref="CallbackReference"/> names: its assembly is loaded once per
/// path (in a <see cref="UserLoadContext"/>), the method once per reference.
/// </summary>
internal sealed class CallbackRegistry
{
    private readonly ConcurrentDictionary<string, Lazy<Assembly>> _assemblies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<CallbackReference, ResolvedCallback> _methods = new();

    public ResolvedCallback Resolve(CallbackReference reference) =>
        _methods.TryGetValue(reference, out ResolvedCallback? callback) ? callback : _methods.GetOrAdd(reference, ResolvedCallback.From(Find(reference)));

    private MethodInfo Find(CallbackReference reference)
    {
        Assembly assembly = _assemblies.GetOrAdd(reference.AssemblyPath, path => new Lazy<Assembly>(() => Load(path))).Value;
        Module module = assembly.ManifestModule;
        if (module.ModuleVersionId != reference.ModuleVersionId)
        {
            throw new InvalidOperationException(
                $"The callback '{reference.DisplayName}' cannot run: the assembly at '{reference.AssemblyPath}' is not the build the client loaded (it was rebuilt since). Restart the client, or the pool.");
        }

        if (module.ResolveMethod(reference.MetadataToken) is not MethodInfo method || !method.IsStatic || method.Name != reference.MethodName)
        {
            throw new InvalidOperationException($"The callback '{reference.DisplayName}' was not found as a static method in '{reference.AssemblyPath}'.");
        }

        return method;
    }

    private static Assembly Load(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        if (UserLoadContext.IsWorkerAssembly(name))
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(name));
        }

        return new UserLoadContext(path).LoadFromAssemblyPath(path);
    }
}

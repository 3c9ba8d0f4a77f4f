using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// A callback as a worker finds it: the protocol's <see cref="Callback"/> for a local worker (the
/// file, the build and the exact method) and for a remote one (no path: the assembly by name), and
/// the type its result is read back as here.
/// </summary>
internal sealed class CallbackReference
{
    private CallbackReference(Callback local, Type resultType, string displayName)
    {
        Local = local;
        Remote = local.Clone();
        Remote.AssemblyPath = string.Empty;
        ResultType = resultType;
        DisplayName = displayName;
    }

    /// <summary>What a local worker gets; never changed once made.</summary>
    public Callback Local { get; }

    /// <summary>What a remote worker gets: no file path.</summary>
    public Callback Remote { get; }

    /// <summary>The method's return type, or T of its Task&lt;T&gt;.</summary>
    public Type ResultType { get; }

    public string DisplayName { get; }

    public static CallbackReference From(MethodInfo method, Type resultType)
    {
        string typeName = method.DeclaringType?.FullName ?? "<module>";
        var callback = new Callback
        {
            AssemblyName = method.Module.Assembly.FullName ?? string.Empty,
            AssemblyPath = FileOf(method.Module.Assembly),
            ModuleVersionId = method.Module.ModuleVersionId.ToString("N"),
            MetadataToken = method.MetadataToken,
            TypeName = typeName,
            MethodName = method.Name,
        };
        return new CallbackReference(callback, resultType, $"{typeName}.{method.Name}");
    }

    /// <summary>The assembly's file; empty when it has none (bundled into a single-file app, or loaded from bytes).</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000:Avoid accessing Assembly file path when publishing as a single file",
        Justification = "An empty Location is expected and handled: the reference then names the assembly by name only, and the worker, which is then the app itself, loads it by name.")]
    public static string FileOf(Assembly assembly) => assembly.Location;
}

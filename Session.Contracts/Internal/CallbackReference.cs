using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using MessagePack;

namespace ProcessFutures.Internal;

/// <summary>
/// Names a static method so that another process can find it: the assembly (its file, and its
/// full name), the module's version id (the build it must match) and the method's metadata token
/// (exact even for overloads); the type and method names are there for messages and as a check.
/// </summary>
/// <remarks>
/// <see cref="AssemblyPath"/> is empty for an assembly bundled into a single-file app: it has no
/// file. Such an app is its own worker (ProcessPoolExecutor.RunWorkerIfRequested), so the worker
/// finds the assembly by <see cref="AssemblyName"/>, already part of it. On the wire the name comes
/// last (field 6): fields are appended, never renumbered.
/// </remarks>
internal sealed record CallbackReference(string AssemblyPath, Guid ModuleVersionId, int MetadataToken, string TypeName, string MethodName, string AssemblyName)
    : IWireMessage<CallbackReference>
{
    private const int FieldCount = 6;

    public string DisplayName => $"{TypeName}.{MethodName}";

    /// <summary>The assembly's file, or its name when it has none.</summary>
    public string AssemblyDisplayName => AssemblyPath.Length > 0 ? AssemblyPath : AssemblyName;

    /// <summary>In the client: the type the result is read back as (the method's return type, or T of its Task&lt;T&gt;). Not sent.</summary>
    public Type? ResultType { get; init; }

    public static CallbackReference From(MethodInfo method) => new(
        FileOf(method.Module.Assembly),
        method.Module.ModuleVersionId,
        method.MetadataToken,
        method.DeclaringType?.FullName ?? "<module>",
        method.Name,
        method.Module.Assembly.FullName ?? string.Empty);

    /// <summary>The assembly's file; empty when it has none (bundled into a single-file app, or loaded from bytes).</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000:Avoid accessing Assembly file path when publishing as a single file",
        Justification = "An empty Location is expected and handled: the reference then names the assembly by name only, and the worker, which is then the app itself, loads it by name.")]
    public static string FileOf(Assembly assembly) => assembly.Location;

    public void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.Write(AssemblyPath);
        writer.Write(ModuleVersionId.ToString("N"));
        writer.Write(MetadataToken);
        writer.Write(TypeName);
        writer.Write(MethodName);
        writer.Write(AssemblyName);
    }

    public static CallbackReference Read(ref MessagePackReader reader)
    {
        int count = ContractSerializer.ReadFields(ref reader, FieldCount, "callback reference");
        var reference = new CallbackReference(
            ContractSerializer.ReadRequiredString(ref reader, "callback assembly"),
            Guid.ParseExact(ContractSerializer.ReadRequiredString(ref reader, "callback module version"), "N"),
            reader.ReadInt32(),
            ContractSerializer.ReadRequiredString(ref reader, "callback type"),
            ContractSerializer.ReadRequiredString(ref reader, "callback method"),
            ContractSerializer.ReadRequiredString(ref reader, "callback assembly name"));
        ContractSerializer.SkipExtra(ref reader, count, FieldCount);
        return reference;
    }
}

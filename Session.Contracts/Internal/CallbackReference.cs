using System.Reflection;
using MessagePack;

namespace Session.Contracts.Internal;

/// <summary>
/// Names a static method so that another process can find it: the assembly file, the module's
/// version id (the build it must match) and the method's metadata token (exact even for
/// overloads); the type and method names are there for messages and as a check.
/// </summary>
internal sealed record CallbackReference(string AssemblyPath, Guid ModuleVersionId, int MetadataToken, string TypeName, string MethodName)
    : IWireMessage<CallbackReference>
{
    private const int FieldCount = 5;

    public string DisplayName => $"{TypeName}.{MethodName}";

    /// <summary>In the client: the type the result is read back as (the method's return type, or T of its Task&lt;T&gt;). Not sent.</summary>
    public Type? ResultType { get; init; }

    public static CallbackReference From(MethodInfo method) => new(
        method.Module.Assembly.Location,
        method.Module.ModuleVersionId,
        method.MetadataToken,
        method.DeclaringType?.FullName ?? "<module>",
        method.Name);

    public void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.Write(AssemblyPath);
        writer.Write(ModuleVersionId.ToString("N"));
        writer.Write(MetadataToken);
        writer.Write(TypeName);
        writer.Write(MethodName);
    }

    public static CallbackReference Read(ref MessagePackReader reader)
    {
        int count = ContractSerializer.ReadFields(ref reader, FieldCount, "callback reference");
        var reference = new CallbackReference(
            ContractSerializer.ReadRequiredString(ref reader, "callback assembly"),
            Guid.ParseExact(ContractSerializer.ReadRequiredString(ref reader, "callback module version"), "N"),
            reader.ReadInt32(),
            ContractSerializer.ReadRequiredString(ref reader, "callback type"),
            ContractSerializer.ReadRequiredString(ref reader, "callback method"));
        ContractSerializer.SkipExtra(ref reader, count, FieldCount);
        return reference;
    }
}

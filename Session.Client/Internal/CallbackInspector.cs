using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using MessagePack;
using Session.Contracts;
using Session.Contracts.Internal;

namespace Session.Client.Internal;

/// <summary>
/// Decides, before anything is sent, whether a callback can run in a worker process: it must
/// be a named static method in an assembly file the worker can load, and its result type must
/// round-trip through MessagePack. Refusals are <see cref="SerializationException"/>s that name
/// the callback, say why and what to write instead. Verdicts are cached per method and per type.
/// </summary>
internal static class CallbackInspector
{
    public const string ReadmeSection = "see the ProcessFutures README, section 'Callbacks in worker processes'";
    private const int MaxDepth = 8;

    private static readonly ConcurrentDictionary<MethodInfo, CallbackReference> s_references = new();
    private static readonly ConcurrentDictionary<Type, string?> s_typeProblems = new();

    public static CallbackReference Describe(Delegate callback)
    {
        MethodInfo method = callback.Method;
        if (callback.Target is null && s_references.TryGetValue(method, out CallbackReference? known) && !HasManyTargets(callback))
        {
            return known;
        }

        string name = DisplayName(method);
        if (HasManyTargets(callback))
        {
            throw Refuse(name, "it is a multicast delegate (several methods combined)", "pass one static method");
        }

        if (callback.Target is not null || !method.IsStatic)
        {
            bool lambda = method.Name.Contains('<', StringComparison.Ordinal) || IsCompilerGenerated(method.DeclaringType);
            string what = lambda
                ? "it is a lambda or anonymous method (the compiler gives it an object that exists only in this process)"
                : "it is an instance method or a closure (it needs an object of this process)";
            throw Refuse(name, what, "write a named static method, 'static T Name(Response response)', and pass it as 'TypeName.Name'");
        }

        if (method.IsGenericMethod || method.DeclaringType is { ContainsGenericParameters: true } || method.DeclaringType?.IsGenericType == true)
        {
            throw Refuse(name, "it is generic, or declared in a generic type", "call it from a non-generic static method and pass that");
        }

        Assembly assembly = method.Module.Assembly;
        if (assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location))
        {
            throw Refuse(name, "its assembly has no file a worker could load (it is dynamic, or bundled into a single-file app)", "declare it in an assembly that is a file on disk");
        }

        if (ResultTypeProblem(method.ReturnType) is { } problem)
        {
            throw Refuse(name, $"its result type '{Describe(method.ReturnType)}' cannot come back from a worker: {problem}", "return a type MessagePack can carry: primitives, strings, byte[], arrays, lists, dictionaries, records or plain classes of those, or Response");
        }

        CallbackReference reference = CallbackReference.From(method);
        s_references.TryAdd(method, reference);
        return reference;
    }

    /// <summary>Null when values of <paramref name="type"/> round-trip through MessagePack; else why not.</summary>
    public static string? ResultTypeProblem(Type type) =>
        s_typeProblems.TryGetValue(type, out string? problem) ? problem : s_typeProblems.GetOrAdd(type, Check(type, 0, []));

    private static string? Check(Type type, int depth, HashSet<Type> visiting)
    {
        if (depth > MaxDepth)
        {
            return $"it nests types more than {MaxDepth} levels deep";
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            type = underlying;
        }

        if (type == typeof(Response) || type == typeof(string) || type == typeof(byte[]) || type.IsPrimitive || type.IsEnum
            || type == typeof(decimal) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan)
            || type == typeof(Guid) || type == typeof(Uri) || type == typeof(Version))
        {
            return type == typeof(IntPtr) || type == typeof(UIntPtr) ? "a native pointer has no meaning in another process" : null;
        }

        if (type == typeof(object))
        {
            return "'object' says nothing of what to re-create; declare the concrete type";
        }

        if (type == typeof(void) || type.IsPointer || type.IsByRef || type.IsByRefLike)
        {
            return "it is not a value that can be sent";
        }

        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return "it is a delegate: code, not data";
        }

        if (typeof(Stream).IsAssignableFrom(type))
        {
            return "a stream is a live handle; return its bytes (byte[]) or what you computed from it";
        }

        if (typeof(Task).IsAssignableFrom(type) || type.Name.StartsWith("ValueTask", StringComparison.Ordinal) || type.Name.StartsWith("IAsyncEnumerable", StringComparison.Ordinal))
        {
            return "async callbacks are not supported; make the method synchronous and return the value";
        }

        if (!visiting.Add(type))
        {
            return null;
        }

        try
        {
            if (type.IsArray)
            {
                return Check(type.GetElementType()!, depth + 1, visiting);
            }

            if (type.IsInterface && !typeof(IEnumerable).IsAssignableFrom(type))
            {
                return "it is an interface, which cannot be re-created; return a concrete type";
            }

            if (type.IsAbstract && !type.IsInterface && type.GetCustomAttribute<UnionAttribute>() is null)
            {
                return "it is abstract, which cannot be re-created; return a concrete type";
            }

            if (FormatterProblem(type) is { } formatterProblem)
            {
                return formatterProblem;
            }

            if (type.IsGenericType)
            {
                foreach (Type argument in type.GetGenericArguments())
                {
                    if (Check(argument, depth + 1, visiting) is { } problem)
                    {
                        return $"'{Describe(argument)}' in it: {problem}";
                    }
                }
            }

            if (!IsFrameworkType(type))
            {
                foreach (Type memberType in SerializedMemberTypes(type))
                {
                    if (Check(memberType, depth + 1, visiting) is { } problem)
                    {
                        return $"a member of type '{Describe(memberType)}' in '{Describe(type)}': {problem}";
                    }
                }
            }

            return null;
        }
        finally
        {
            visiting.Remove(type);
        }
    }

    private static string? FormatterProblem(Type type)
    {
        object? formatter;
        try
        {
            formatter = ContractSerializer.Options.Resolver.GetFormatterDynamic(type);
        }
        catch (Exception exception)
        {
            return (exception.InnerException ?? exception).Message;
        }

        if (formatter is null)
        {
            return "MessagePack has no formatter for it";
        }

        // A framework type that only gets a generated, member-by-member formatter (JsonElement,
        // HttpResponseMessage, …) is not data MessagePack knows how to re-create.
        if (IsFrameworkType(type) && formatter.GetType().Assembly.IsDynamic && !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return "MessagePack has no formatter made for this framework type";
        }

        return null;
    }

    private static IEnumerable<Type> SerializedMemberTypes(Type type)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
        foreach (PropertyInfo property in type.GetProperties(flags))
        {
            if (property.GetMethod is { IsPublic: true } && property.GetIndexParameters().Length == 0 && !IsIgnored(property))
            {
                yield return property.PropertyType;
            }
        }

        foreach (FieldInfo field in type.GetFields(flags))
        {
            if (!IsIgnored(field))
            {
                yield return field.FieldType;
            }
        }
    }

    private static bool IsIgnored(MemberInfo member) =>
        member.IsDefined(typeof(IgnoreMemberAttribute)) || member.IsDefined(typeof(IgnoreDataMemberAttribute));

    private static bool IsFrameworkType(Type type)
    {
        string name = type.Assembly.GetName().Name ?? string.Empty;
        return name == "System.Private.CoreLib" || name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal) || name == "netstandard" || name == "mscorlib";
    }

    private static bool IsCompilerGenerated(Type? type) => type is not null && (type.IsDefined(typeof(CompilerGeneratedAttribute)) || IsCompilerGenerated(type.DeclaringType));

    private static bool HasManyTargets(Delegate callback) => !callback.HasSingleTarget;

    private static string DisplayName(MethodInfo method) => $"{method.DeclaringType?.FullName ?? "<module>"}.{method.Name}";

    private static string Describe(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        string name = type.GetGenericTypeDefinition().FullName ?? type.Name;
        name = name[..name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>";
    }

    private static SerializationException Refuse(string name, string why, string instead) =>
        new($"The callback '{name}' cannot run in a worker process: {why}. Instead, {instead}; {ReadmeSection}.");
}

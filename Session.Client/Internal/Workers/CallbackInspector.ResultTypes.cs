using System.Collections;
using System.Reflection;
using System.Runtime.Serialization;
using MessagePack;
using MessagePack.Resolvers;

namespace ProcessFutures.Internal;

/// <summary>Whether a callback's result type can come back from a worker: it must round-trip through MessagePack's contractless resolver.</summary>
internal static partial class CallbackInspector
{
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
            return "a task is not a value; for an asynchronous callback declare 'static async Task<T> Name(Response response, CancellationToken cancellationToken)', whose result T comes back";
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
            formatter = ContractlessStandardResolver.Instance.GetFormatterDynamic(type);
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
}

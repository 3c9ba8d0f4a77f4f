using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Runtime.Serialization;

namespace ProcessFutures.Internal;

/// <summary>
/// Decides, before anything is sent, whether a callback can run in a worker process: it must
/// be a named static method in an assembly file the worker can load, and its result type must
/// round-trip through MessagePack. Refusals are <see cref="SerializationException"/>s that name
/// the callback, say why and what to write instead. Verdicts are cached per method and per type.
/// </summary>
internal static partial class CallbackInspector
{
    public const string ReadmeSection = "see the ProcessFutures README, section 'Callbacks in worker processes'";
    private const int MaxDepth = 8;

    private static readonly ConcurrentDictionary<MethodInfo, CallbackReference> s_references = new();
    private static readonly ConcurrentDictionary<Type, string?> s_typeProblems = new();

    /// <summary>Describes <paramref name="callback"/> for a worker; <paramref name="publicOnly"/> for a remote one, which runs only public static methods of public types.</summary>
    public static CallbackReference Describe(Delegate callback, bool publicOnly)
    {
        MethodInfo method = callback.Method;
        if (callback.Target is null && s_references.TryGetValue(method, out CallbackReference? known) && !HasManyTargets(callback))
        {
            if (publicOnly)
            {
                RequirePublic(method);
            }

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

        // An assembly bundled into a single-file app has no file, and needs none: such an app is its
        // own worker, which finds the assembly by name. One loaded some other way without a file
        // (dynamic, from bytes, in another load context) cannot be found by a worker at all.
        Assembly assembly = method.Module.Assembly;
        if (assembly.IsDynamic
            || (CallbackReference.FileOf(assembly).Length == 0 && AssemblyLoadContext.GetLoadContext(assembly) != AssemblyLoadContext.Default))
        {
            throw Refuse(name, "its assembly has no file a worker could load (it is dynamic, or was loaded from bytes)", "declare it in an assembly that is a file on disk, or part of the app");
        }

        Type resultType = method.ReturnType;
        ParameterInfo[] parameters = method.GetParameters();
        if (parameters.Length == 2)
        {
            // Func<Response, CancellationToken, Task<T>>: the result is the task's.
            if (!resultType.IsGenericType || resultType.GetGenericTypeDefinition() != typeof(Task<>))
            {
                throw Refuse(name, $"an asynchronous callback must return Task<T>, not '{Describe(resultType)}'", "declare it as 'static async Task<T> Name(Response response, CancellationToken cancellationToken)'");
            }

            resultType = resultType.GetGenericArguments()[0];
        }

        if (ResultTypeProblem(resultType) is { } problem)
        {
            throw Refuse(name, $"its result type '{Describe(resultType)}' cannot come back from a worker: {problem}", "return a type MessagePack can carry: primitives, strings, byte[], arrays, lists, dictionaries, records or plain classes of those, or Response");
        }

        CallbackReference reference = CallbackReference.From(method, resultType);
        s_references.TryAdd(method, reference);
        if (publicOnly)
        {
            RequirePublic(method);
        }

        return reference;
    }

    private static void RequirePublic(MethodInfo method)
    {
        if (!method.IsPublic || method.DeclaringType is { IsVisible: false })
        {
            throw Refuse(DisplayName(method), "a remote worker runs only public static methods of public types, and this one is not public (or its type is not)", "make the method and its type (and any type it is nested in) public");
        }
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

using System.Reflection;

namespace ProcessFutures.Internal;

/// <summary>
/// A callback found in the worker, ready to call: <c>static T M(Response)</c>, or
/// <c>static Task&lt;T&gt; M(Response, CancellationToken)</c>, and the type its result is sent as.
/// </summary>
internal sealed class ResolvedCallback
{
    private readonly PropertyInfo? _taskResult;

    private ResolvedCallback(MethodInfo method, Type resultType, PropertyInfo? taskResult)
    {
        Method = method;
        ResultType = resultType;
        _taskResult = taskResult;
    }

    public MethodInfo Method { get; }

    public Type ResultType { get; }

    public string DisplayName => $"{Method.DeclaringType?.FullName}.{Method.Name}";

    public static ResolvedCallback From(MethodInfo method)
    {
        ParameterInfo[] parameters = method.GetParameters();
        if (parameters.Length == 1 && parameters[0].ParameterType == typeof(Response))
        {
            return new ResolvedCallback(method, method.ReturnType, taskResult: null);
        }

        if (parameters.Length == 2 && parameters[0].ParameterType == typeof(Response) && parameters[1].ParameterType == typeof(CancellationToken)
            && method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            return new ResolvedCallback(method, method.ReturnType.GetGenericArguments()[0], method.ReturnType.GetProperty(nameof(Task<int>.Result)));
        }

        throw new InvalidOperationException(
            $"The callback '{method.DeclaringType?.FullName}.{method.Name}' is neither 'static T M(Response)' nor 'static Task<T> M(Response, CancellationToken)'.");
    }

    /// <summary>Runs the callback; a synchronous one on this thread. Its exceptions propagate as they are.</summary>
    public async Task<object?> InvokeAsync(Response response, CancellationToken cancellationToken)
    {
        if (_taskResult is null)
        {
            return Method.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, [response], culture: null);
        }

        var task = (Task)Method.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, [response, cancellationToken], culture: null)!;
        await task.ConfigureAwait(false);
        return _taskResult.GetValue(task);
    }
}

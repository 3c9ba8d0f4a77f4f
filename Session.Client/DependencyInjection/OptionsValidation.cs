using Microsoft.Extensions.Options;
using ProcessFutures;
using ProcessFutures.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Checks a named session when the host starts (ValidateOnStart): its options and, when it runs
/// on a process pool, the pool's, every problem in one message.
/// </summary>
internal sealed class SessionOptionsValidation(IOptionsMonitor<ExecutorChoice> choices, IOptionsMonitor<ProcessPoolOptions> pools) : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions options)
    {
        List<string> problems = RequestPreparer.SessionProblems(options);
        ExecutorChoice choice = choices.Get(name);
        if (choice.Workers < 0)
        {
            problems.Add($"Workers '{choice.Workers}' must be 0 (the default) or more.");
        }

        if (choice.ProcessPool)
        {
            problems.AddRange(pools.Get(name).Problems());
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail($"FuturesSession '{name}': {string.Join(" ", problems)}");
    }
}

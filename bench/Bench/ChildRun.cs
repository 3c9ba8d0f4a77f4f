using System.ComponentModel;
using System.Diagnostics;

namespace Bench;

/// <summary>A child process run to its end: its exit code and what it printed, within a time limit.</summary>
internal static class ChildRun
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/> (stdin closed); exit code -1
    /// when it could not start (the reason in <c>Error</c>) or outlived <paramref name="timeout"/>
    /// (then it is killed, with its children).
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception exception)
        {
            return (-1, string.Empty, exception.Message);
        }

        using (process)
        {
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            int exitCode;
            try
            {
                await process.WaitForExitAsync().WaitAsync(timeout);
                exitCode = process.ExitCode;
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                exitCode = -1;
            }

            string error = await stderr;
            return (exitCode, await stdout, exitCode == -1 ? $"timed out after {timeout.TotalSeconds} s. {error}" : error);
        }
    }
}

using System.Security.Cryptography;
using System.Text.RegularExpressions;
using HttpBin;
using Session.Tests.Infrastructure;

namespace Session.Tests.Apps;

/// <summary>
/// The downloader sample run as a user runs it, with its output redirected (as in CI): its small
/// default list through a process pool into a folder of the test's own, checked from the outside;
/// and into the temporary folder it makes itself, which it removes (unless --keep).
/// </summary>
[Category("Slow")]
public sealed class DownloaderSampleTests
{
    private const long MiB = 1024 * 1024;

    [Test]
    public async Task Quick_SavesAndVerifiesEveryFile_FailsOnlyOnPurpose_AndLeavesNothingElse()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"processfutures-downloader-{Guid.NewGuid():N}");
        try
        {
            (int exitCode, string output) = await RunDownloaderAsync("--quick", "--out", folder);

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("Summary: 3 of 5 files saved, 2 failed (2 on purpose);"));
            Assert.That(output, Does.Contain("Exit code 0: every other file was saved and verified"));
            Assert.That(output, Does.Match(@"done\s+bytes-4MiB\.bin: 4\.0 MiB in .*, sha256 ok, hashed in worker \d+"));
            Assert.That(output, Does.Match(@"done\s+bytes-1MiB\.bin: 1\.0 MiB in .*, sha256 ok, hashed in worker \d+"));
            Assert.That(output, Does.Match(@"done\s+chunked-2MiB\.bin: 2\.0 MiB in .*, sha256 ok, hashed in worker \d+"));
            Assert.That(output, Does.Match(@"failed not-found\.bin: HttpRequestException: .*404.* \(on purpose: "));
            Assert.That(output, Does.Match(@"failed cut-after-1MiB\.bin: (HttpRequestException|HttpIOException|IOException): .* \(on purpose: "));
            Assert.That(output, Does.Contain("No temporary .partial file was left in the folder."));
            Assert.That(output, Does.Not.Contain("temporary folder"), "A folder given with --out is the user's: kept, and not called temporary.");

            // Not a terminal: no escape codes, no progress lines, a line per file and a short summary.
            Assert.That(output, Does.Not.Contain("\u001b["));
            Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.LessThanOrEqualTo(25), output);

            // In the folder, hidden files included: the three files, whole and right, and nothing else.
            Dictionary<string, long> files = Directory
                .EnumerateFiles(folder, "*", new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = true })
                .ToDictionary(path => Path.GetRelativePath(folder, path), path => new FileInfo(path).Length);
            Assert.That(files, Is.EquivalentTo(new Dictionary<string, long>
            {
                ["bytes-4MiB.bin"] = 4 * MiB,
                ["bytes-1MiB.bin"] = 1 * MiB,
                ["chunked-2MiB.bin"] = 2 * MiB,
            }));
            Assert.That(await Sha256Async(Path.Combine(folder, "bytes-4MiB.bin")), Is.EqualTo(DeterministicBytes.Sha256Hex(4 * MiB, seed: 2)));
            Assert.That(await Sha256Async(Path.Combine(folder, "bytes-1MiB.bin")), Is.EqualTo(DeterministicBytes.Sha256Hex(1 * MiB, seed: 1)));
            Assert.That(await Sha256Async(Path.Combine(folder, "chunked-2MiB.bin")), Is.EqualTo(DeterministicBytes.Sha256Hex(2 * MiB, seed: 5)));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Test]
    public async Task Quick_WithoutOut_RemovesItsTemporaryFolder_AndSaysSo()
    {
        (int exitCode, string output) = await RunDownloaderAsync("--quick");
        string folder = TemporaryFolderNamedIn(output);
        try
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain($"into {folder} (a temporary folder, removed at the end: give --keep, or --out DIR, to keep the files)"));
            Assert.That(output, Does.Contain($"Removed the temporary folder {folder} (3 files, 7.0 MiB); give --keep, or --out DIR, to keep the files."));
            Assert.That(Directory.Exists(folder), Is.False, $"The run left its temporary folder '{folder}' behind.");
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Test]
    public async Task QuickWithKeep_KeepsItsTemporaryFolder_WithTheFiles()
    {
        (int exitCode, string output) = await RunDownloaderAsync("--quick", "--keep");
        string folder = TemporaryFolderNamedIn(output);
        try
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain($"Kept the temporary folder {folder} (--keep): remove it when done."));
            Assert.That(output, Does.Not.Contain("Removed the temporary folder"));
            Assert.That(
                Directory.EnumerateFiles(folder, "*", new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = true }).Select(path => Path.GetRelativePath(folder, path)),
                Is.EquivalentTo(new[] { "bytes-4MiB.bin", "bytes-1MiB.bin", "chunked-2MiB.bin" }));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Test]
    public async Task BadCommandLine_ExitsWith2_NamingEveryProblem()
    {
        (int exitCode, string output) = await RunDownloaderAsync("--workers", "0", "--quick", "ftp://example.invalid/file");

        Assert.That(exitCode, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("--workers '0' is not a whole number of 1 or more."));
        Assert.That(output, Does.Contain("'ftp://example.invalid/file' (argument 4) is not an absolute http or https URL"));
        Assert.That(output, Does.Contain("--quick chooses the small default list"));
    }

    private static Task<(int ExitCode, string Output)> RunDownloaderAsync(params string[] arguments)
    {
        string root = ProcessRunner.RepositoryRoot();
        string[] run = ["run", "--project", Path.Combine(root, "samples", "Downloader"), "-c", ProcessRunner.Configuration(), "--", .. arguments];
        return ProcessRunner.RunAsync("dotnet", run, root, seconds: 300);
    }

    /// <summary>The folder the run says it downloads into: one it made in the temporary directory, named processfutures-downloads-*.</summary>
    private static string TemporaryFolderNamedIn(string output)
    {
        Match match = Regex.Match(output, @"^Downloading \d+ files into (?<folder>.+?) \(a temporary folder", RegexOptions.Multiline);
        Assert.That(match.Success, Is.True, $"The run does not say which temporary folder it downloads into:\n{output}");
        string folder = match.Groups["folder"].Value;
        Assert.That(Path.GetDirectoryName(folder), Is.EqualTo(Path.TrimEndingDirectorySeparator(Path.GetTempPath())), output);
        Assert.That(Path.GetFileName(folder), Does.StartWith("processfutures-downloads-"), output);
        return folder;
    }

    private static async Task<string> Sha256Async(string path)
    {
        await using FileStream file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }
}

using System.Diagnostics;
using Session.Tests.Infrastructure;

namespace Session.Tests.Docs;

/// <summary>
/// The documentation stays true to the code: every ```csharp block of README.md and docs/*.md
/// compiles against the repository's projects, and every relative link leads to a file, and to a
/// heading, that exists.
/// </summary>
/// <remarks>
/// <para>
/// The convention for code blocks. A block fenced with ```csharp (at the start of a line) is
/// compiled, always: there is no tag that skips one, so show C# that is not meant to compile in
/// another fence (```text). Each block is compiled as a file of its own, in one temporary project
/// that references Session.Client, Session.Remote and Session.Contracts (the three packages) and
/// the sample callbacks library deploy/callbacks (<c>using Callbacks;</c> gives its
/// <c>BodyDigests</c> and <c>Digest</c>), with the implicit usings of a console app and nullable
/// reference types on. Inside a block:
/// </para>
/// <list type="bullet">
/// <item><c>using</c> directives at the start of a line are the file's: a block writes the
/// namespaces it uses (<c>using ProcessFutures;</c> included), as a reader copying it would need.</item>
/// <item>A type declared at the start of a line (<c>public static class Callbacks</c>, up to its
/// closing <c>}</c> at the start of a line, or a one-line record) is a type, in a namespace of the
/// block's own, so that two blocks may each declare their own <c>Callbacks</c>.</item>
/// <item>Every other line is a statement, as in a Program.cs with top-level statements: the
/// statements of a block become the body of one static async method, so <c>await</c> works and
/// blocks that each declare <c>session</c> do not collide.</item>
/// <item>A few names may be used without being declared, as prose examples do: <c>session</c> (a
/// <c>FuturesSession</c>), <c>url</c> (a string), <c>urls</c> (strings) and <c>args</c> (the
/// command line). A block that declares one of them uses its own.</item>
/// </list>
/// <para>
/// The build fails the test on any compiler error, and on any warning except those that fragments
/// cause by nature (an async method without await, a variable never used, a task not awaited).
/// </para>
/// </remarks>
public sealed class DocExamplesTests
{
    /// <summary>Warnings a fragment causes by nature, not by being wrong.</summary>
    private const string FragmentWarnings = "CS1998;CS0168;CS0219;CS8321;CS4014";

    private const string Context = """
        using ProcessFutures;

        namespace DocExamples;

        /// <summary>The names the examples use without declaring them.</summary>
        public abstract class DocContext
        {
            protected static FuturesSession session = null!;
            protected static string url = "http://127.0.0.1:5000/get";
            protected static string[] urls = [];
            protected static string[] args = [];
        }
        """;

    [Test]
    [Category("Slow")]
    public async Task EveryCSharpBlock_InTheReadmeAndDocs_Compiles()
    {
        string root = ProcessRunner.RepositoryRoot();
        DocExample[] examples = [.. MarkdownDocs.Files().SelectMany(MarkdownDocs.CSharpBlocks)];
        Assert.That(examples, Has.Length.GreaterThan(10), "the README and docs/ show C#");
        Assert.That(MarkdownDocs.Files().SelectMany(MarkdownDocs.IndentedCSharpFences), Is.Empty, "a csharp fence that does not start its line is not compiled; start it at the line's beginning");

        string project = Path.Combine(Path.GetTempPath(), $"processfutures-doc-examples-{Guid.NewGuid():N}");
        Directory.CreateDirectory(project);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(project, "DocExamples.csproj"), ProjectFile(root));
            await File.WriteAllTextAsync(Path.Combine(project, "DocContext.cs"), Context);
            for (int i = 0; i < examples.Length; i++)
            {
                DocExample example = examples[i];
                await File.WriteAllTextAsync(Path.Combine(project, $"Example{i:D3}.cs"), example.ToSource(i, Path.Combine(root, example.File)));
            }

            var clock = Stopwatch.StartNew();
            (int exitCode, string output) = await ProcessRunner.RunAsync(
                "dotnet", ["build", project, "-c", ProcessRunner.Configuration(), "-nologo", "-v:q", "-clp:NoSummary"], project, seconds: 150);
            await TestContext.Out.WriteLineAsync($"{examples.Length} blocks from {string.Join(", ", examples.Select(e => e.File).Distinct())} built in {clock.Elapsed.TotalSeconds:F0} s");

            Assert.That(exitCode, Is.Zero, $"A C# block of the documentation does not compile (the file and line are the Markdown's):\n{output}");
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    [Test]
    public void EveryRelativeLink_InTheReadmeAndDocs_LeadsToAFileAndHeadingThatExist()
    {
        string root = ProcessRunner.RepositoryRoot();
        var broken = new List<string>();
        foreach (string file in MarkdownDocs.Files())
        {
            string directory = Path.GetDirectoryName(Path.Combine(root, file))!;
            foreach ((int line, string target) in MarkdownDocs.Links(file))
            {
                if (target.StartsWith("http://", StringComparison.Ordinal) || target.StartsWith("https://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                int hash = target.IndexOf('#', StringComparison.Ordinal);
                string path = hash < 0 ? target : target[..hash];
                string? anchor = hash < 0 ? null : target[(hash + 1)..];
                string full = path.Length == 0 ? Path.Combine(root, file) : Path.GetFullPath(Path.Combine(directory, path));
                if (!File.Exists(full) && !Directory.Exists(full))
                {
                    broken.Add($"{file}:{line}: '{target}': no such file");
                }
                else if (anchor is not null && !MarkdownDocs.Anchors(Path.GetRelativePath(root, full)).Contains(anchor))
                {
                    broken.Add($"{file}:{line}: '{target}': no heading makes the anchor '#{anchor}'");
                }
            }
        }

        Assert.That(broken, Is.Empty, string.Join(Environment.NewLine, broken));
    }

    private static string ProjectFile(string root) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <OutputType>Library</OutputType>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <NoWarn>$(NoWarn);{FragmentWarnings}</NoWarn>
          </PropertyGroup>
          <ItemGroup>
            <ProjectReference Include="{Path.Combine(root, "Session.Client", "Session.Client.csproj")}" />
            <ProjectReference Include="{Path.Combine(root, "Session.Remote", "Session.Remote.csproj")}" />
            <ProjectReference Include="{Path.Combine(root, "Session.Contracts", "Session.Contracts.csproj")}" />
            <ProjectReference Include="{Path.Combine(root, "deploy", "callbacks", "Callbacks.csproj")}" />
          </ItemGroup>
        </Project>
        """;
}

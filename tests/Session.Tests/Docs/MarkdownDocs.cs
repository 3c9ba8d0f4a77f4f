using System.Text;
using System.Text.RegularExpressions;
using Session.Tests.Infrastructure;

namespace Session.Tests.Docs;

/// <summary>
/// The user's documentation, as the doc tests read it: README.md and docs/*.md, their ```csharp
/// blocks, their relative links and their headings' anchors.
/// </summary>
internal static partial class MarkdownDocs
{
    /// <summary>The documentation files, relative to the repository's root, with '/' separators.</summary>
    public static IReadOnlyList<string> Files()
    {
        string root = ProcessRunner.RepositoryRoot();
        return
        [
            "README.md",
            .. Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md")
                .Select(path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal),
        ];
    }

    public static string[] ReadLines(string file) =>
        File.ReadAllLines(Path.Combine(ProcessRunner.RepositoryRoot(), file));

    /// <summary>Every block fenced with ```csharp at the start of a line, with the line its code starts on.</summary>
    public static IEnumerable<DocExample> CSharpBlocks(string file)
    {
        string[] lines = ReadLines(file);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd() != "```csharp")
            {
                continue;
            }

            int start = i + 1;
            int end = start;
            while (end < lines.Length && lines[end].TrimEnd() != "```")
            {
                end++;
            }

            if (end == lines.Length)
            {
                throw new InvalidDataException($"{file}:{i + 1}: a ```csharp block is never closed.");
            }

            yield return new DocExample(file, start + 1, lines[start..end]);
            i = end;
        }
    }

    /// <summary>Lines that open a csharp block somewhere other than at the start of the line (in a list item): such a block would not be compiled.</summary>
    public static IEnumerable<string> IndentedCSharpFences(string file) =>
        ReadLines(file)
            .Select((line, index) => (Line: line, Number: index + 1))
            .Where(l => l.Line.TrimStart().StartsWith("```cs", StringComparison.Ordinal) && !l.Line.StartsWith("```", StringComparison.Ordinal))
            .Select(l => $"{file}:{l.Number}");

    /// <summary>The targets of the file's links and images, outside code, with their line numbers.</summary>
    public static IEnumerable<(int Line, string Target)> Links(string file)
    {
        string[] lines = ReadLines(file);
        bool inFence = false;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (inFence)
            {
                continue;
            }

            string text = InlineCode().Replace(lines[i], string.Empty);
            foreach (Match link in Link().Matches(text))
            {
                yield return (i + 1, link.Groups["target"].Value);
            }
        }
    }

    /// <summary>The anchors GitHub makes for the file's headings: lowercase, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    public static HashSet<string> Anchors(string file)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        bool inFence = false;
        foreach (string line in ReadLines(file))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (inFence || Heading().Match(line) is not { Success: true } heading)
            {
                continue;
            }

            var slug = new StringBuilder();
            foreach (char c in heading.Groups["text"].Value.Trim().ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }

            string anchor = slug.ToString();
            int count = seen.GetValueOrDefault(anchor);
            seen[anchor] = count + 1;
            anchors.Add(count == 0 ? anchor : $"{anchor}-{count}");
        }

        return anchors;
    }

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*$")]
    private static partial Regex Heading();
}

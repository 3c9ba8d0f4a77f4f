using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Session.Tests.Docs;

/// <summary>
/// One ```csharp block of the documentation, and the C# file it is compiled as (see
/// <see cref="DocExamplesTests"/> for the convention). Its lines are sorted by what they are, from
/// their first column: a <c>using</c> directive goes to the top of the file; a type declaration
/// (from its first line to a line that is a lone <c>}</c>, or a one-line record) stays a type, in a
/// namespace of the block's own; every other line is a statement of one static async method, in
/// a class that derives from <c>DocContext</c>, which declares the few names the examples use
/// without declaring them. <c>#line</c> directives make the compiler's messages name the Markdown
/// file and line.
/// </summary>
internal sealed partial record DocExample(string File, int FirstLine, string[] Lines)
{
    public override string ToString() => $"{File}:{FirstLine}";

    /// <summary>The block as a C# file; <paramref name="markdownPath"/> is the file's full path, for #line.</summary>
    public string ToSource(int index, string markdownPath)
    {
        var usings = new List<string>();
        var statements = new StringBuilder();
        var types = new StringBuilder();
        bool statementsOpen = false;
        for (int i = 0; i < Lines.Length; i++)
        {
            string line = Lines[i];
            if (UsingDirective().IsMatch(line))
            {
                usings.Add(line);
                statementsOpen = false;
                continue;
            }

            if (TypeStart().IsMatch(line))
            {
                types.AppendLine(LineDirective(i, markdownPath));
                int end = i;
                if (!line.TrimEnd().EndsWith(';'))
                {
                    while (end < Lines.Length && Lines[end].TrimEnd() != "}")
                    {
                        end++;
                    }

                    if (end == Lines.Length)
                    {
                        throw new InvalidDataException($"{this}: the type declared on line {FirstLine + i} has no closing '}}' at the start of a line.");
                    }
                }

                for (int j = i; j <= end; j++)
                {
                    types.AppendLine(Lines[j]);
                }

                i = end;
                statementsOpen = false;
                continue;
            }

            if (!statementsOpen)
            {
                statements.AppendLine(LineDirective(i, markdownPath));
                statementsOpen = true;
            }

            statements.AppendLine(line);
        }

        var source = new StringBuilder();
        source.AppendLine(string.Create(CultureInfo.InvariantCulture, $"// {this}"));
        foreach (string directive in usings)
        {
            source.AppendLine(directive);
        }

        source.AppendLine(string.Create(CultureInfo.InvariantCulture, $"namespace DocExamples.Example{index:D3};"));
        source.AppendLine("internal sealed class Example : global::DocExamples.DocContext");
        source.AppendLine("{");
        source.AppendLine("    public static async global::System.Threading.Tasks.Task RunAsync()");
        source.AppendLine("    {");
        source.Append(statements);
        source.AppendLine("#line default");
        source.AppendLine("    }");
        source.AppendLine("}");
        source.Append(types);
        source.AppendLine("#line default");
        return source.ToString();
    }

    private string LineDirective(int index, string markdownPath) =>
        string.Create(CultureInfo.InvariantCulture, $"#line {FirstLine + index} \"{markdownPath}\"");

    /// <summary>A using directive (not a using statement: <c>using var x = …;</c>).</summary>
    [GeneratedRegex(@"^using\s+(?:static\s+)?[\w.]+(?:\s*=\s*[\w.<>, ]+)?;\s*$")]
    private static partial Regex UsingDirective();

    /// <summary>The first line of a type declaration, at the start of a line.</summary>
    [GeneratedRegex(@"^(?:(?:public|internal|file|static|sealed|abstract|partial|readonly)\s+)*(?:class|record|struct|interface|enum)\s")]
    private static partial Regex TypeStart();
}

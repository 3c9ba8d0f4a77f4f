namespace ProcessFutures.Internal;

/// <summary>What HTTP allows in a header name (RFC 9110 token) and value (no CR, LF or NUL; Latin-1).</summary>
internal static class HeaderRules
{
    public static string? ProblemWithName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "A header name is empty.";
        }

        foreach (char c in name)
        {
            if (!IsTokenChar(c))
            {
                return $"The header name '{name}' has the character '{Printable(c)}', which a header name may not have (letters, digits and !#$%&'*+-.^_`|~ only).";
            }
        }

        return null;
    }

    public static string? ProblemWithValue(string name, string? value)
    {
        if (value is null)
        {
            return $"The header '{name}' has a null value; use an empty string for an empty value.";
        }

        foreach (char c in value)
        {
            if (c is '\r' or '\n' or '\0' || c > '\u00FF' || (c < ' ' && c != '\t'))
            {
                return $"The value of header '{name}' has the character '{Printable(c)}', which a header value may not have (no CR, LF, NUL, control characters, or characters beyond Latin-1).";
            }
        }

        return null;
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static string Printable(char c) => c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString();
}

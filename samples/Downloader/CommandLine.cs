using System.Globalization;

namespace Downloader;

/// <summary>What the command line asked for. <see cref="Parse"/> checks everything once and reports every problem together.</summary>
internal sealed record CommandLine(IReadOnlyList<Uri> Urls, string? OutputDirectory, int Workers, bool Quick, bool Keep, bool Help)
{
    /// <summary>The default of <c>--workers</c>: 2 worker processes, each downloading one file at a time.</summary>
    public const int DefaultWorkers = 2;

    public const string Usage = """
        Downloads files into a folder through a pool of worker processes, with a live progress display.

        Usage: dotnet run --project samples/Downloader -- [options] [URL ...]

          URL ...        http(s) URLs to download
          --list FILE    read URLs from FILE, one a line; blank lines and lines starting with # are skipped
          --out DIR      the folder to save into (created if missing, and kept); default: a new
                         folder in the temporary directory, removed at the end of the run
          --keep         keep that temporary folder and the files in it
          --workers N    worker processes, each downloading one file at a time (default: 2)
          --quick        the small default list, a few MiB (what the test suite runs)
          -h, --help     this text

        With no URL and no --list, it starts the local test server and downloads its default list
        (about 420 MiB, up to 300 MiB a file), two of which fail on purpose.
        Exit code: 0 when every file was saved (and verified, where its hash is known) or failed on
        purpose; 1 otherwise; 2 for a bad command line; 130 when interrupted.
        """;

    /// <summary>The default list is downloaded, from the local test server, when no URL is given.</summary>
    public bool UsesDefaultList => Urls.Count == 0;

    /// <summary>Parses <paramref name="args"/>; on failure, <paramref name="problems"/> says every thing that is wrong.</summary>
    public static CommandLine? Parse(string[] args, out string problems)
    {
        var urls = new List<Uri>();
        var errors = new List<string>();
        string? output = null;
        int workers = DefaultWorkers;
        bool quick = false;
        bool keep = false;
        bool help = false;
        bool urlsGiven = false;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "-h" or "--help":
                    help = true;
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--keep":
                    keep = true;
                    break;
                case "--out":
                    output = Value(args, ref i, errors);
                    break;
                case "--workers":
                    string? count = Value(args, ref i, errors);
                    if (count is not null && (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out workers) || workers < 1))
                    {
                        errors.Add($"--workers '{count}' is not a whole number of 1 or more.");
                    }

                    break;
                case "--list":
                    urlsGiven = true;
                    if (Value(args, ref i, errors) is { } list)
                    {
                        ReadList(list, urls, errors);
                    }

                    break;
                default:
                    if (arg.StartsWith('-'))
                    {
                        errors.Add($"Unknown option '{arg}'; see --help.");
                    }
                    else
                    {
                        urlsGiven = true;
                        AddUrl(arg, $"argument {i + 1}", urls, errors);
                    }

                    break;
            }
        }

        if (quick && urlsGiven)
        {
            errors.Add("--quick chooses the small default list: give it without URLs and without --list.");
        }
        else if (urlsGiven && urls.Count == 0 && errors.Count == 0)
        {
            errors.Add("The --list file holds no URL: give one http(s) URL a line.");
        }

        problems = string.Join(Environment.NewLine, errors);
        return errors.Count > 0 ? null : new CommandLine(urls, output, workers, quick, keep, help);
    }

    private static string? Value(string[] args, ref int i, List<string> errors)
    {
        if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            return args[++i];
        }

        errors.Add($"{args[i]} needs a value; see --help.");
        return null;
    }

    private static void ReadList(string path, List<Uri> urls, List<string> errors)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            errors.Add($"--list '{path}' cannot be read ({exception.Message}); give a text file with one URL a line.");
            return;
        }

        for (int n = 0; n < lines.Length; n++)
        {
            string line = lines[n].Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                AddUrl(line, $"{path}, line {n + 1}", urls, errors);
            }
        }
    }

    private static void AddUrl(string text, string where, List<Uri> urls, List<string> errors)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            urls.Add(url);
        }
        else
        {
            errors.Add($"'{text}' ({where}) is not an absolute http or https URL; write it as http://host/path.");
        }
    }
}

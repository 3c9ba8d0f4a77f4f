using System.Text;
using System.Text.Json;

namespace ProcessFutures.Internal;

/// <summary>The request's body: JSON, a form, bytes, or a file to stream; and where a download goes.</summary>
internal static partial class RequestPreparer
{
    private static (byte[]? Content, string? ContentType) EncodeBody(RequestOptions request)
    {
        int bodies = (request.Json is not null ? 1 : 0) + (request.Form.Count > 0 ? 1 : 0) + (request.Body is not null ? 1 : 0) + (request.UploadFrom is not null ? 1 : 0);
        if (bodies > 1)
        {
            throw new ArgumentException("RequestOptions sets more than one of Json, Form, Body and UploadFrom; a request has one body.", nameof(request));
        }

        if (request.Json is { } json)
        {
            return (JsonSerializer.SerializeToUtf8Bytes(json, json.GetType(), JsonSerializerOptions.Web), "application/json");
        }

        if (request.Form.Count > 0)
        {
            var builder = new StringBuilder();
            foreach (KeyValuePair<string, string> field in request.Form)
            {
                if (builder.Length > 0)
                {
                    builder.Append('&');
                }

                builder.Append(FormEscape(field.Key)).Append('=').Append(FormEscape(field.Value ?? string.Empty));
            }

            return (Encoding.UTF8.GetBytes(builder.ToString()), "application/x-www-form-urlencoded");
        }

        return (request.Body, request.Body is null ? null : request.ContentType);
    }

    private static string UploadPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("RequestOptions.UploadFrom is blank; give the path of the file to send.", "options");
        }

        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"RequestOptions.UploadFrom names '{full}', which does not exist (or is not a file). Give the path of an existing file to send as the body.", full);
        }

        return full;
    }

    /// <summary>The download's destination, absolute (relative to this process's current directory).</summary>
    private static string DownloadPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.EndsWith('/'))
        {
            throw new ArgumentException($"RequestOptions.DownloadTo '{path}' does not name a file; give the path of the file to save the body to.", "options");
        }

        return Path.GetFullPath(path);
    }

    private static string FormEscape(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);
}

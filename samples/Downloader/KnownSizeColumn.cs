using Spectre.Console;
using Spectre.Console.Rendering;

namespace Downloader;

/// <summary>
/// Shows another column (percentage, remaining time) only for a file whose size is known: for a
/// chunked body, with no Content-Length, a percentage or a time left would be made up.
/// </summary>
internal sealed class KnownSizeColumn(ProgressColumn inner) : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        task.IsIndeterminate ? new Text("?").RightJustified() : inner.Render(options, task, deltaTime);

    public override int? GetColumnWidth(RenderOptions options) => inner.GetColumnWidth(options);
}

using System.Text;
using NLog;
using NLog.LayoutRenderers;
using NLog.LayoutRenderers.Wrappers;

namespace KrxSignal.Worker.Logging;

/// <summary>
/// <c>${escape:${message}}</c>: the inner text with control characters and line breaks escaped (see <see cref="LogText"/>).
/// <c>${escape:keepLineBreaks=true:${exception:format=tostring}}</c> keeps a stack trace's lines but indents each one.
/// </summary>
[LayoutRenderer(Name)]
internal sealed class EscapeLayoutRenderer : WrapperLayoutRendererBase
{
    public const string Name = "escape";

    public bool KeepLineBreaks { get; set; }

    protected override void RenderInnerAndTransform(LogEventInfo logEvent, StringBuilder builder, int orgLength)
    {
        Inner?.Render(logEvent, builder);
        LogText.Escape(builder, orgLength, KeepLineBreaks);
    }

    protected override string Transform(string text) => text;
}

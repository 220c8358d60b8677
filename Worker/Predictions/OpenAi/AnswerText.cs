using System.Text.RegularExpressions;

namespace KrxSignal.Worker.Predictions.OpenAi;

/// <summary>
/// Finds the JSON object in a reply before it is validated: a think block and a fence that wraps the whole
/// reply are removed, then the first balanced object is taken. Each change is noted, so the row can say the
/// answer was repaired. Nothing here guesses at content: the strict checks still decide.
/// </summary>
public static partial class AnswerText
{
    private const string ThinkEnd = "</think>";

    /// <param name="content">message.content.</param>
    /// <param name="reasoning">message.reasoning_content (vLLM, llama.cpp) or reasoning (Ollama): used only when content has no object.</param>
    /// <param name="changes">Receives a note per change.</param>
    /// <returns>The object's text, or null when there is none (then <paramref name="rest"/> is what was left to look at).</returns>
    public static string? Extract(string? content, string? reasoning, List<string> changes, out string rest)
    {
        var fromContent = FromOne(content, changes, out rest);
        if (fromContent is not null)
        {
            if (!string.IsNullOrWhiteSpace(reasoning))
            {
                changes.Add("reasoning field set aside");
            }

            return fromContent;
        }

        var reasoningChanges = new List<string>();
        if (FromOne(reasoning, reasoningChanges, out _) is { } fromReasoning)
        {
            changes.Clear();
            changes.Add("answer taken from the reasoning field");
            changes.AddRange(reasoningChanges);
            return fromReasoning;
        }

        return null;
    }

    private static string? FromOne(string? raw, List<string> changes, out string rest)
    {
        var text = raw?.Trim() ?? "";
        var think = text.LastIndexOf(ThinkEnd, StringComparison.OrdinalIgnoreCase);
        if (think >= 0)
        {
            text = text[(think + ThinkEnd.Length)..].Trim();
            changes.Add("think block removed");
        }

        if (WholeFence().Match(text) is { Success: true } fence)
        {
            text = fence.Groups["body"].Value.Trim();
            changes.Add("code fence removed");
        }

        rest = text;
        var start = text.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var end = BalancedEnd(text, start);
        if (end < 0)
        {
            // Unbalanced: hand the whole remainder to the JSON parser, whose error says what is wrong.
            rest = text[start..];
            return text[start..];
        }

        if (start > 0 || end < text.Length - 1)
        {
            changes.Add("text around the object removed");
        }

        return text[start..(end + 1)];
    }

    /// <returns>The index of the brace closing the object that opens at <paramref name="start"/>, or -1.</returns>
    private static int BalancedEnd(string text, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{':
                    depth++;
                    break;
                case '}' when --depth == 0:
                    return i;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"\A```[A-Za-z0-9_-]*[ \t]*\r?\n(?<body>.*?)\r?\n?```\z", RegexOptions.Singleline)]
    private static partial Regex WholeFence();
}

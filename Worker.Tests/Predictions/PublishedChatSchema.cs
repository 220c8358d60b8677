using System.Text.Json;
using System.Text.RegularExpressions;

namespace KrxSignal.Worker.Tests.Predictions;

/// <summary>
/// The constraints that OpenAI's published chat-completions schema puts on the fields we send, checked one by one.
/// Source: openapi.json of github.com/openai/openai-openapi (commit f85dbe2), schemas CreateChatCompletionRequest
/// (required model and messages, messages minItems 1; temperature a number 0..2 or null, from
/// ModelResponseProperties), ChatCompletionRequestSystemMessage and ChatCompletionRequestUserMessage (required
/// role and content; role "system" or "user"; content a string or an array of parts), and response_format as one
/// of ResponseFormatText ({type: "text"}), ResponseFormatJsonObject ({type: "json_object"}) or
/// ResponseFormatJsonSchema ({type: "json_schema", json_schema: {name (a-z, A-Z, 0-9, underscores and dashes, at
/// most 64), schema (an object), strict (boolean or null), description (string)}}, json_schema and its name
/// required). Strict structured output further needs every property required and additionalProperties false.
/// </summary>
internal static partial class PublishedChatSchema
{
    // The properties of CreateChatCompletionRequest we use; anything else sent would need checking here first.
    private static readonly string[] KnownTopLevel = ["model", "messages", "temperature", "response_format"];

    /// <returns>Every violation found; empty when the body conforms.</returns>
    public static List<string> Violations(string body)
    {
        var problems = new List<string>();
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ["the request is not an object"];
        }

        foreach (var property in root.EnumerateObject().Where(p => !KnownTopLevel.Contains(p.Name)))
        {
            problems.Add($"unexpected property {property.Name}");
        }

        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString()!.Length == 0)
        {
            problems.Add("model is required and must be a string");
        }

        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() < 1)
        {
            problems.Add("messages is required, an array of at least one");
        }
        else
        {
            foreach (var message in messages.EnumerateArray())
            {
                CheckMessage(message, problems);
            }
        }

        if (root.TryGetProperty("temperature", out var temperature)
            && temperature.ValueKind != JsonValueKind.Null
            && (temperature.ValueKind != JsonValueKind.Number || temperature.GetDouble() is < 0 or > 2))
        {
            problems.Add("temperature must be a number from 0 to 2, or null");
        }

        if (root.TryGetProperty("response_format", out var format))
        {
            CheckResponseFormat(format, problems);
        }

        return problems;
    }

    private static void CheckMessage(JsonElement message, List<string> problems)
    {
        var role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        if (role is not ("system" or "user"))
        {
            problems.Add($"message role '{role}' is not system or user");
        }

        if (!message.TryGetProperty("content", out var content) || content.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
        {
            problems.Add("message content is required, a string or an array of parts");
        }

        foreach (var property in message.EnumerateObject().Where(p => p.Name is not ("role" or "content" or "name")))
        {
            problems.Add($"unexpected message property {property.Name}");
        }
    }

    private static void CheckResponseFormat(JsonElement format, List<string> problems)
    {
        var type = format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text" or "json_object":
                if (format.EnumerateObject().Any(p => p.Name != "type"))
                {
                    problems.Add($"response_format {type} takes only type");
                }

                break;
            case "json_schema":
                if (!format.TryGetProperty("json_schema", out var js) || js.ValueKind != JsonValueKind.Object)
                {
                    problems.Add("response_format json_schema needs a json_schema object");
                    break;
                }

                if (!js.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || !SchemaName().IsMatch(name.GetString()!))
                {
                    problems.Add("json_schema.name is required: a-z, A-Z, 0-9, underscores and dashes, at most 64");
                }

                if (js.TryGetProperty("strict", out var strict) && strict.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                {
                    problems.Add("json_schema.strict must be a boolean or null");
                }

                if (!js.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                {
                    problems.Add("json_schema.schema must be an object");
                }
                else if (strict.ValueKind == JsonValueKind.True)
                {
                    CheckStrictSchema(schema, problems);
                }

                break;
            default:
                problems.Add($"response_format type '{type}' is not text, json_object or json_schema");
                break;
        }
    }

    private static void CheckStrictSchema(JsonElement schema, List<string> problems)
    {
        var properties = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToList();
        var required = schema.TryGetProperty("required", out var req) ? req.EnumerateArray().Select(e => e.GetString()!).Order().ToList() : [];
        if (!properties.SequenceEqual(required))
        {
            problems.Add("strict: every property must be required");
        }

        if (!schema.TryGetProperty("additionalProperties", out var additional) || additional.ValueKind != JsonValueKind.False)
        {
            problems.Add("strict: additionalProperties must be false");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex SchemaName();
}

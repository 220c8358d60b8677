using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Tests.Support;
using Refit;

namespace KrxSignal.Worker.Tests.StockApi;

/// <summary>The Refit client and its DTOs against docs/stock-api.yaml: paths, methods, the key header, the fields read.</summary>
public sealed class StockApiContractTests
{
    private static readonly JsonObject Contract = Load();

    public static TheoryData<string, string, string?> Calls() => new()
    {
        // client method, the answer's schema, the request body's schema
        { nameof(IStockApi.GetPortfolioAsync), nameof(Portfolio), null },
        { nameof(IStockApi.GetNewsSentimentAsync), nameof(NewsSentiment), null },
        { nameof(IStockApi.RunScreenerAsync), nameof(ScreenerResult), nameof(ScreenerRequest) },
    };

    public static TheoryData<Type> Dtos() => new(typeof(Portfolio), typeof(Holding), typeof(NewsSentiment), typeof(TickerSentiment), typeof(Article), typeof(ScreenerRequest), typeof(ScreenerResult), typeof(ScreenerRow));

    [Theory]
    [MemberData(nameof(Calls))]
    public void ClientMethod_EveryCall_IsAnOperationOfTheContractWithItsSchemas(string method, string answer, string? body)
    {
        var attribute = typeof(IStockApi).GetMethod(method)!.GetCustomAttribute<HttpMethodAttribute>()!;

        var operation = Contract["paths"]![attribute.Path]?[attribute.Method.Method.ToLowerInvariant()];

        operation.Should().NotBeNull($"{attribute.Method} {attribute.Path} is in docs/stock-api.yaml");
        Ref(operation!["responses"]!["200"]!["content"]!["application/json"]!["schema"]).Should().Be(answer);
        if (body is not null)
        {
            Ref(operation["requestBody"]!["content"]!["application/json"]!["schema"]).Should().Be(body);
        }
    }

    [Fact]
    public void Contract_EveryOperation_IsCalledByTheClient()
    {
        var client = typeof(IStockApi).GetMethods().Select(m => m.GetCustomAttribute<HttpMethodAttribute>()!).Select(a => $"{a.Method.Method.ToLowerInvariant()} {a.Path}");

        var contract = Contract["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key} {p.Key}"));

        contract.Should().BeEquivalentTo(client);
    }

    [Fact]
    public void NewsCall_QueryParameter_IsTheContractsDate()
    {
        var parameter = typeof(IStockApi).GetMethod(nameof(IStockApi.GetNewsSentimentAsync))!.GetParameters()[0];
        var name = parameter.GetCustomAttribute<AliasAsAttribute>()!.Name;

        var declared = Contract["paths"]!["/api/webai/news-sentiment"]!["get"]!["parameters"]!.AsArray();

        declared.Should().Contain(p => (string)p!["name"]! == name && (string)p["in"]! == "query" && (string)p["schema"]!["format"]! == "date");
    }

    [Fact]
    public void KeyHeader_TheClientSends_IsTheContractsApiKeyScheme()
    {
        var scheme = Contract["components"]!["securitySchemes"]!.AsObject().Single();

        ((string)scheme.Value!["type"]!).Should().Be("apiKey");
        ((string)scheme.Value["in"]!).Should().Be("header");
        ((string)scheme.Value["name"]!).Should().Be(StockApiKeyHandler.HeaderName);
        Contract["security"]!.AsArray().Should().ContainSingle(s => s!.AsObject().ContainsKey(scheme.Key), "every call sends the key");
    }

    [Theory]
    [MemberData(nameof(Dtos))]
    public void Dto_EveryField_IsInItsSchemaWithTheSameTypeAndRequiredness(Type dto)
    {
        var schema = Contract["components"]!["schemas"]![dto.Name];
        schema.Should().NotBeNull($"docs/stock-api.yaml has a {dto.Name} schema");
        var properties = schema!["properties"]!.AsObject();
        var required = schema["required"]?.AsArray().Select(r => (string)r!).ToHashSet() ?? [];
        var parameters = dto.GetConstructors().Single().GetParameters();

        foreach (var property in dto.GetProperties())
        {
            var wire = property.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name;
            properties.Should().ContainKey(wire, $"{dto.Name}.{property.Name} reads '{wire}'");
            ((string)properties[wire]!["type"]!).Should().Be(OpenApiType(property.PropertyType), $"{dto.Name}.{wire}");
            var optional = parameters.Single(p => p.Name == property.Name).HasDefaultValue;
            required.Contains(wire).Should().Be(!optional, $"{dto.Name}.{wire} is {(optional ? "optional" : "required")} in the DTO");
        }

        properties.Select(p => p.Key).Should().BeEquivalentTo(dto.GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name), "the DTO reads every field the contract declares");
    }

    private static string OpenApiType(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) => "string",
            _ when type == typeof(int) || type == typeof(long) => "integer",
            _ when type == typeof(double) || type == typeof(decimal) => "number",
            _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) => "object",
            _ when typeof(IEnumerable).IsAssignableFrom(type) => "array",
            _ => throw new InvalidOperationException($"no OpenAPI type for {type}"),
        };
    }

    private static string Ref(JsonNode? schema) => ((string)schema!["$ref"]!).Split('/')[^1];

    private static JsonObject Load()
    {
        var yaml = new SharpYaml.Serialization.Serializer().Deserialize(File.ReadAllText(Path.Combine(Repository.Root, "docs", "stock-api.yaml")));
        return ToJson(yaml)!.AsObject();
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        IDictionary<object, object> map => new JsonObject(map.Select(e => KeyValuePair.Create(e.Key.ToString()!, ToJson(e.Value)))),
        IList<object> list => new JsonArray(list.Select(ToJson).ToArray()),
        null => null,
        _ => JsonValue.Create(value.ToString()),
    };
}

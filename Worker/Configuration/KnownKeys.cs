using System.Collections;
using System.Reflection;
using KrxSignal.Worker.Hosting;

namespace KrxSignal.Worker.Configuration;

/// <summary>
/// The keys the Worker reads, found by reflecting over the <see cref="IValidatedOptions"/> classes the host
/// registers, so a setting added to an options class is known here without a list to keep in step. <c>Models</c> is
/// a top-level array. Built from the registrations rather than by scanning the assembly: listing every type of the
/// assembly loads the libraries their base types live in (Npgsql into an SQLite process, for one) before READY.
/// </summary>
internal sealed class KnownKeys
{
    private KnownKeys(IReadOnlyDictionary<string, KeyNode> sections) => Sections = sections;

    public IReadOnlyDictionary<string, KeyNode> Sections { get; }

    public static KnownKeys From(IEnumerable<Type> optionsTypes)
    {
        var sections = new Dictionary<string, KeyNode>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in optionsTypes)
        {
            if (type.GetProperty(nameof(IValidatedOptions.Section), BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is string section)
            {
                sections[section] = TopLevelArrayElement(type) is { } element ? KeyNode.ArrayOf(Describe(element, 0)) : Describe(type, 0);
            }
        }

        var clock = ClockSetting.Key.Split(':');
        sections[clock[0]] = KeyNode.ObjectOf(new Dictionary<string, KeyNode>(StringComparer.OrdinalIgnoreCase)
        {
            [clock[1]] = KeyNode.Leaf,
            [ClockSetting.RealTimeKey.Split(':')[1]] = KeyNode.Leaf,
        });
        return new KnownKeys(sections);
    }

    /// <summary>An options class that is only a wrapper around an <c>Items</c> list is bound from the section as an array.</summary>
    private static Type? TopLevelArrayElement(Type type)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        return properties is [{ Name: "Items" } items] ? ElementType(items.PropertyType) : null;
    }

    private static KeyNode Describe(Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsLeaf(type) || depth > 8)
        {
            return KeyNode.Leaf;
        }

        if (DictionaryValueType(type) is { } value)
        {
            return KeyNode.MapOf(Describe(value, depth + 1));
        }

        if (ElementType(type) is { } element)
        {
            return KeyNode.ArrayOf(Describe(element, depth + 1));
        }

        var children = new Dictionary<string, KeyNode>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var node = Describe(property.PropertyType, depth + 1);

            // The binder sets a leaf only through a public setter; a get-only leaf (a computed value) is not a key.
            if (node.Kind != KeyKind.Leaf || property.SetMethod is { IsPublic: true })
            {
                children[property.Name] = node;
            }
        }

        return KeyNode.ObjectOf(children);
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly)
        || type == typeof(Guid) || type == typeof(Uri);

    private static Type? DictionaryValueType(Type type) =>
        Interfaces(type).FirstOrDefault(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
            ?.GetGenericArguments()[1];

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : typeof(IEnumerable).IsAssignableFrom(type) && type != typeof(string)
            ? Interfaces(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
            : null;

    private static Type[] Interfaces(Type type) => type.IsInterface ? [type, .. type.GetInterfaces()] : type.GetInterfaces();
}

internal enum KeyKind
{
    Leaf,
    Section,
    Array,
    Map,
}

/// <summary>One level of the known keys: a value, an object with named children, an array (Models:0:…) or a map (any name).</summary>
internal sealed record KeyNode(KeyKind Kind, IReadOnlyDictionary<string, KeyNode> Children, KeyNode? Element)
{
    public static KeyNode Leaf { get; } = new(KeyKind.Leaf, new Dictionary<string, KeyNode>(), null);

    public static KeyNode ObjectOf(IReadOnlyDictionary<string, KeyNode> children) => new(KeyKind.Section, children, null);

    public static KeyNode ArrayOf(KeyNode element) => new(KeyKind.Array, new Dictionary<string, KeyNode>(), element);

    public static KeyNode MapOf(KeyNode value) => new(KeyKind.Map, new Dictionary<string, KeyNode>(), value);
}

using System.Collections.Immutable;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

/// <summary>
/// The diff at the protocol's edge: the engine's property maps, with ignoreChanges applied, bound
/// to records of the shape and compared as records (see <see cref="RecordDiff"/>).
/// </summary>
internal static class DiffEngine
{
    public static DiffResult Compute(ObjectShape inputs, ObjectValue oldState, ObjectValue news, ObjectValue oldInputs,
        IEnumerable<string> ignoreChanges, bool deleteBeforeReplace)
    {
        news = ApplyIgnoreChanges(news, oldInputs, ignoreChanges);
        var bound = PropertyBinder.Bind(inputs, news, BindMode.State);
        return RecordDiff.Compare(inputs, PropertyBinder.Bind(inputs, oldState, BindMode.State).Value, bound.Value,
            PropertyBinder.Bind(inputs, oldInputs, BindMode.State).Value, bound.UnknownPaths, deleteBeforeReplace);
    }

    /// <summary>Ignored paths take their old input value (or vanish if there was none).</summary>
    public static ObjectValue ApplyIgnoreChanges(ObjectValue news, ObjectValue oldInputs, IEnumerable<string> ignoreChanges)
    {
        foreach (var p in ignoreChanges)
        {
            ImmutableArray<PathSegment> path;
            try { path = PropertyPath.Parse(p); }
            catch (FormatException e) { throw ProviderException.InvalidArgument($"ignoreChanges: {e.Message}"); }
            if (path.IsEmpty) continue;
            var old = PropertyPath.Get(oldInputs, path.AsSpan());
            news = (ObjectValue)PropertyPath.Set(news, path.AsSpan(), _ => old);
        }
        return news;
    }

}

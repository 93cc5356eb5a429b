using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources;

/// <summary>
/// The outputs a preview plans, derived from the records' shapes: the inputs as a state; unknown
/// where only the host can tell. On a create that is every required output (an index, a state: the
/// host tells them once the object exists) and every input the program leaves to the host (unset,
/// without a default); on an update the required outputs stay as they were, and inputs left to the
/// host are unknown.
/// </summary>
internal static class PreviewOutputs
{
    public static Outcome<TState> OfCreate<TArgs, TState>(string id, Bound<TArgs> inputs)
        where TArgs : class, IShaped<TArgs>
        where TState : class, TArgs, IShaped<TState>, IStateOf<TState, TArgs>
    {
        var shape = ObjectShape.Of<TState>();
        var unknown = shape.Properties.Where(p => !p.IsInput && p.Required).Select(p => p.Name).Concat(LeftToTheHost(inputs));
        return new Outcome<TState>(id, TState.FromInputs(inputs.Value)) { UnknownOutputs = [.. unknown] };
    }

    public static Outcome<TState> OfUpdate<TArgs, TState>(string id, Bound<TArgs> inputs, TState old)
        where TArgs : class, IShaped<TArgs>
        where TState : class, TArgs, IShaped<TState>, IStateOf<TState, TArgs>
    {
        var shape = ObjectShape.Of<TState>();
        var planned = TState.FromInputs(inputs.Value);
        var values = shape.Properties.Select(p => p.IsInput ? p.Get(planned) : p.Required ? p.Get(old) : null).ToArray();
        return new Outcome<TState>(id, (TState)shape.Construct(values)) { UnknownOutputs = [.. LeftToTheHost(inputs)] };
    }

    /// <summary>Inputs the program leaves unset, that have no default: the host decides them.</summary>
    private static IEnumerable<string> LeftToTheHost<TArgs>(Bound<TArgs> inputs) where TArgs : class, IShaped<TArgs> =>
        ObjectShape.Of<TArgs>().Inputs
            .Where(p => p.Default is null && p.Get(inputs.Value) is null && !inputs.IsUnknown(p.Name))
            .Select(p => p.Name);
}

namespace Kvm.Engine;

/// <summary>
/// The words the pulumi CLI uses for steps: a preview plans ("create", "+ 2 to create"), the other
/// commands report what they did ("created", "+ 2 created").
/// </summary>
public static class StepWords
{
    /// <summary>The status column of one step.</summary>
    public static string Status(StepOp op, bool plan) => (op, plan) switch
    {
        (StepOp.Same, _) => "same",
        (StepOp.Create, true) => "create",
        (StepOp.Create, false) => "created",
        (StepOp.Update, true) => "update",
        (StepOp.Update, false) => "updated",
        (StepOp.Replace, true) => "replace",
        (StepOp.Replace, false) => "replaced",
        (StepOp.Delete, true) => "delete",
        (StepOp.Delete, false) => "deleted",
        (StepOp.Refresh, _) => "updated",
        (StepOp.Import, true) => "import",
        (StepOp.Import, false) => "imported",
        _ => "**failed**",
    };

    /// <summary>One line of the "Resources:" summary, e.g. "+ 2 to create" or "+ 2 created".</summary>
    public static string Summary(StepOp op, int count, bool plan) => op switch
    {
        StepOp.Same => $"{count} unchanged",
        StepOp.Failed => $"! {count} failed",
        StepOp.Refresh => $"~ {count} {(plan ? "to update" : "updated")}",
        _ => $"{Symbol(op)} {count} {(plan ? "to " + Status(op, plan: true) : Status(op, plan: false))}",
    };

    /// <summary>The header line of a command's output, as the CLI prints it.</summary>
    public static string Heading(StackCommand command, string stack) => command switch
    {
        StackCommand.Preview => $"Previewing update ({stack})",
        StackCommand.Up => $"Updating ({stack})",
        StackCommand.Refresh => $"Refreshing ({stack})",
        StackCommand.Import => $"Importing ({stack})",
        _ => $"Destroying ({stack})",
    };

    /// <summary>The mark in front of a step: + ~ - +- = (and ! for a failure).</summary>
    public static string Symbol(StepOp op) => op switch
    {
        StepOp.Create => "+",
        StepOp.Update or StepOp.Refresh => "~",
        StepOp.Replace => "+-",
        StepOp.Delete => "-",
        StepOp.Import => "=",
        StepOp.Failed => "!",
        _ => " ",
    };
}

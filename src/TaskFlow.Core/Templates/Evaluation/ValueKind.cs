namespace TaskFlow.Core.Templates.Evaluation;

internal enum ValueKind
{
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
}

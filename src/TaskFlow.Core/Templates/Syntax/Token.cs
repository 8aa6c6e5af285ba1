namespace TaskFlow.Core.Templates.Syntax;

// Kind: What the token is.
// Start: 0-based index of its first character in the whole template text.
// Length: Characters it spans in the source, quotes and escapes included.
// Text: The identifier name or the decoded string value.
// Number: The value of a number token.
internal readonly record struct Token(TokenKind Kind, int Start, int Length, string? Text = null, decimal Number = 0);

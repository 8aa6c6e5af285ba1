namespace TaskFlow.Core.Templates.Syntax;

internal enum TokenKind
{
    // End of the text.
    End,

    // }} closing a placeholder.
    CloseTemplate,
    Number,
    String,
    Identifier,
    Dot,
    Comma,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Question,
    QuestionQuestion,
    Colon,
    Bang,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    EqualEqual,
    BangEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    AndAnd,
    OrOr,
}

//! A hand-written parser for GraphQL executable documents, producing async-graphql's own
//! syntax tree (positions included), so the executor runs what it would have parsed itself.
//!
//! async-graphql's parser (pest) took ~40 µs for a 300-byte control, the largest part of a
//! first-seen request once validation was fast. This one reads the same documents in a few
//! microseconds. It covers the grammar the clients send (operations, variables, fragments,
//! directives, every value but block strings and escaped strings) and declines, with `None`,
//! anything else and anything malformed: [`parse_query`] then hands the document to
//! async-graphql's parser, which reports syntax errors as before. Where pest's grammar reads
//! unusual input in an unusual way (`queryName` as `query Name`, `[nullx]` as `[null, x]`,
//! `007` as `0 07`), this parser declines too, so the two never disagree. The differential
//! test (`tests/tests/parse.rs`) compares the trees, positions included.

use std::collections::HashMap;

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Field, FragmentDefinition, FragmentSpread,
    InlineFragment, OperationDefinition, OperationType, Selection, SelectionSet, Type,
    TypeCondition, VariableDefinition,
};
use async_graphql::parser::{Pos, Positioned};
use async_graphql::{Name, Number};
use async_graphql_value::Value;

/// Nesting of selection sets async-graphql's parser accepts (its `MAX_RECURSION_DEPTH`).
const MAX_SELECTION_DEPTH: usize = 64;
/// Nesting of list and object values read here; deeper values are left to async-graphql.
const MAX_VALUE_DEPTH: usize = 64;

/// `source` parsed, by this parser when it reads it, otherwise by async-graphql's.
pub fn parse_query(source: &str) -> async_graphql::parser::Result<ExecutableDocument> {
    match parse(source) {
        Some(document) => Ok(document),
        None => async_graphql::parser::parse_query(source),
    }
}

/// `source` parsed exactly as async-graphql's parser would, or `None` when this parser leaves
/// it to that one (malformed, or outside the grammar read here).
pub fn parse(source: &str) -> Option<ExecutableDocument> {
    let mut parser = Parser {
        source,
        bytes: source.as_bytes(),
        at: 0,
        counted: 0,
        line: 1,
        column: 1,
    };
    parser.skip_ignored();
    let mut operations: Option<DocumentOperations> = None;
    let mut fragments: HashMap<Name, Positioned<FragmentDefinition>> = HashMap::new();
    while parser.at < parser.bytes.len() {
        match parser.definition()? {
            Definition::Operation(None, operation) => {
                if operations.is_some() {
                    return None;
                }
                operations = Some(DocumentOperations::Single(operation));
            }
            Definition::Operation(Some(name), operation) => {
                let map = match operations
                    .get_or_insert_with(|| DocumentOperations::Multiple(HashMap::new()))
                {
                    DocumentOperations::Multiple(map) => map,
                    DocumentOperations::Single(_) => return None,
                };
                if map.insert(name, operation).is_some() {
                    return None;
                }
            }
            Definition::Fragment(name, fragment) => {
                if fragments.insert(name, fragment).is_some() {
                    return None;
                }
            }
        }
    }
    Some(ExecutableDocument {
        operations: operations?,
        fragments,
    })
}

enum Definition {
    Operation(Option<Name>, Positioned<OperationDefinition>),
    Fragment(Name, Positioned<FragmentDefinition>),
}

struct Parser<'a> {
    source: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// Where `line` and `column` were last counted to (async-graphql counts characters; a
    /// `\r` starts a column without starting a line).
    counted: usize,
    line: usize,
    column: usize,
}

fn is_name_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_name_continue(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Whitespace in pest's grammar (the byte-order mark is three bytes, handled apart).
fn is_white(byte: u8) -> bool {
    matches!(byte, b' ' | b',' | b'\t' | b'\n' | b'\r')
}

impl<'a> Parser<'a> {
    /// The line and column of byte `offset` (called with offsets in increasing order).
    fn pos(&mut self, offset: usize) -> Pos {
        if offset < self.counted {
            (self.counted, self.line, self.column) = (0, 1, 1);
        }
        for ch in self.source[self.counted..offset].chars() {
            match ch {
                '\r' => self.column = 1,
                '\n' => {
                    self.line += 1;
                    self.column = 1;
                }
                _ => self.column += 1,
            }
        }
        self.counted = offset;
        Pos {
            line: self.line,
            column: self.column,
        }
    }

    fn here(&mut self) -> Pos {
        self.pos(self.at)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Skips whitespace, commas, byte-order marks and comments.
    fn skip_ignored(&mut self) {
        while let Some(&byte) = self.bytes.get(self.at) {
            if is_white(byte) {
                self.at += 1;
            } else if self.bytes[self.at..].starts_with("\u{feff}".as_bytes()) {
                self.at += 3;
            } else if byte == b'#' {
                while self
                    .bytes
                    .get(self.at)
                    .is_some_and(|&b| b != b'\n' && b != b'\r')
                {
                    self.at += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Consumes `byte` and what follows it to the next token.
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then_some(())?;
        self.at += 1;
        self.skip_ignored();
        Some(())
    }

    /// The name at the cursor and its start, without skipping what follows.
    fn raw_name(&mut self) -> Option<(usize, &'a str)> {
        let start = self.at;
        if !is_name_start(self.peek()?) {
            return None;
        }
        self.at += 1;
        while self.peek().is_some_and(is_name_continue) {
            self.at += 1;
        }
        Some((start, &self.source[start..self.at]))
    }

    /// The name at the cursor and its start.
    fn word(&mut self) -> Option<(usize, &'a str)> {
        let word = self.raw_name()?;
        self.skip_ignored();
        Some(word)
    }

    fn name(&mut self) -> Option<Positioned<Name>> {
        let (start, name) = self.word()?;
        Some(Positioned::new(Name::new(name), self.pos(start)))
    }

    fn definition(&mut self) -> Option<Definition> {
        let start = self.at;
        if self.peek()? == b'{' {
            let pos = self.here();
            let selection_set = self.selection_set(MAX_SELECTION_DEPTH)?;
            let operation = OperationDefinition {
                ty: OperationType::Query,
                variable_definitions: Vec::new(),
                directives: Vec::new(),
                selection_set,
            };
            return Some(Definition::Operation(None, Positioned::new(operation, pos)));
        }
        let (_, keyword) = self.word()?;
        let pos = self.pos(start);
        let ty = match keyword {
            "query" => OperationType::Query,
            "mutation" => OperationType::Mutation,
            "subscription" => OperationType::Subscription,
            "fragment" => {
                let name = self.name()?;
                let type_condition = self.type_condition().ok()??;
                let directives = self.directives()?;
                let selection_set = self.selection_set(MAX_SELECTION_DEPTH)?;
                let fragment = FragmentDefinition {
                    type_condition,
                    directives,
                    selection_set,
                };
                return Some(Definition::Fragment(
                    name.node,
                    Positioned::new(fragment, pos),
                ));
            }
            _ => return None,
        };
        let name = match self.peek() {
            Some(byte) if is_name_start(byte) => Some(self.name()?.node),
            _ => None,
        };
        let variable_definitions = if self.peek() == Some(b'(') {
            self.variable_definitions()?
        } else {
            Vec::new()
        };
        let directives = self.directives()?;
        let selection_set = self.selection_set(MAX_SELECTION_DEPTH)?;
        let operation = OperationDefinition {
            ty,
            variable_definitions,
            directives,
            selection_set,
        };
        // A named operation goes into `Multiple`; only an unnamed one is `Single`.
        Some(Definition::Operation(name, Positioned::new(operation, pos)))
    }

    /// `on Type` at the cursor: `Ok(None)` (cursor unmoved) when there is none. pest reads
    /// `on` and the name as one token with whitespace between and no comment; a gap it reads
    /// otherwise declines the document (`Err`).
    fn type_condition(&mut self) -> Result<Option<Positioned<TypeCondition>>, ()> {
        let start = self.at;
        if self.raw_name().map(|(_, word)| word) != Some("on") {
            self.at = start;
            return Ok(None);
        }
        let gap = self.at;
        while self
            .peek()
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
        let next = self.peek();
        if self.at == gap && next.is_none_or(|b| !is_white(b) && b != 0xEF) {
            // `on` itself is a name: a fragment spread named `on`.
            self.at = start;
            return Ok(None);
        }
        if !next.is_some_and(is_name_start) {
            return Err(());
        }
        let pos = self.pos(start);
        let on = self.name().ok_or(())?;
        Ok(Some(Positioned::new(TypeCondition { on }, pos)))
    }

    fn variable_definitions(&mut self) -> Option<Vec<Positioned<VariableDefinition>>> {
        self.expect(b'(')?;
        let mut definitions = Vec::new();
        while self.peek()? != b')' {
            let pos = self.here();
            self.expect(b'$')?;
            let name = self.name()?;
            self.expect(b':')?;
            let start = self.at;
            self.type_end()?;
            let var_type = Type::new(&self.source[start..self.at])?;
            let var_type = Positioned::new(var_type, self.pos(start));
            self.skip_ignored();
            let directives = self.directives()?;
            let default_value = if self.peek() == Some(b'=') {
                self.expect(b'=')?;
                let value = self.value(0)?;
                Some(Positioned::new(value.node.into_const()?, value.pos))
            } else {
                None
            };
            definitions.push(Positioned::new(
                VariableDefinition {
                    name,
                    var_type,
                    directives,
                    default_value,
                },
                pos,
            ));
        }
        self.expect(b')')?;
        Some(definitions)
    }

    /// Moves past a type (`Name`, `[Type]`, either with `!`), which has no whitespace inside.
    fn type_end(&mut self) -> Option<()> {
        if self.peek()? == b'[' {
            self.at += 1;
            self.type_end()?;
            (self.peek()? == b']').then_some(())?;
            self.at += 1;
        } else {
            self.raw_name()?;
        }
        if self.peek() == Some(b'!') {
            self.at += 1;
        }
        Some(())
    }

    fn directives(&mut self) -> Option<Vec<Positioned<Directive>>> {
        let mut directives = Vec::new();
        while self.peek() == Some(b'@') {
            let pos = self.here();
            self.expect(b'@')?;
            let name = self.name()?;
            let arguments = self.arguments()?;
            directives.push(Positioned::new(Directive { name, arguments }, pos));
        }
        Some(directives)
    }

    fn arguments(&mut self) -> Option<Vec<(Positioned<Name>, Positioned<Value>)>> {
        let mut arguments = Vec::new();
        if self.peek() != Some(b'(') {
            return Some(arguments);
        }
        self.expect(b'(')?;
        while self.peek()? != b')' {
            let name = self.name()?;
            self.expect(b':')?;
            arguments.push((name, self.value(0)?));
        }
        self.expect(b')')?;
        // `()` is not an argument list.
        (!arguments.is_empty()).then_some(arguments)
    }

    fn selection_set(&mut self, depth: usize) -> Option<Positioned<SelectionSet>> {
        let pos = self.here();
        self.expect(b'{')?;
        let mut items = Vec::new();
        while self.peek()? != b'}' {
            items.push(self.selection(depth)?);
        }
        self.expect(b'}')?;
        (!items.is_empty()).then_some(Positioned::new(SelectionSet { items }, pos))
    }

    fn nested_selection_set(&mut self, depth: usize) -> Option<Positioned<SelectionSet>> {
        self.selection_set(depth.checked_sub(1)?)
    }

    fn selection(&mut self, depth: usize) -> Option<Positioned<Selection>> {
        let pos = self.here();
        if self.bytes[self.at..].starts_with(b"...") {
            self.at += 3;
            self.skip_ignored();
            let type_condition = self.type_condition().ok()?;
            if type_condition.is_some() || matches!(self.peek()?, b'{' | b'@') {
                let directives = self.directives()?;
                let selection_set = self.nested_selection_set(depth)?;
                let inline = InlineFragment {
                    type_condition,
                    directives,
                    selection_set,
                };
                return Some(Positioned::new(
                    Selection::InlineFragment(Positioned::new(inline, pos)),
                    pos,
                ));
            }
            let fragment_name = self.name()?;
            let directives = self.directives()?;
            let spread = FragmentSpread {
                fragment_name,
                directives,
            };
            return Some(Positioned::new(
                Selection::FragmentSpread(Positioned::new(spread, pos)),
                pos,
            ));
        }
        let first = self.name()?;
        let (alias, name) = if self.peek() == Some(b':') {
            self.expect(b':')?;
            (Some(first), self.name()?)
        } else {
            (None, first)
        };
        let arguments = self.arguments()?;
        let directives = self.directives()?;
        let selection_set = if self.peek() == Some(b'{') {
            self.nested_selection_set(depth)?
        } else {
            Positioned::default()
        };
        let field = Field {
            alias,
            name,
            arguments,
            directives,
            selection_set,
        };
        Some(Positioned::new(
            Selection::Field(Positioned::new(field, pos)),
            pos,
        ))
    }

    fn value(&mut self, depth: usize) -> Option<Positioned<Value>> {
        if depth > MAX_VALUE_DEPTH {
            return None;
        }
        let start = self.at;
        let pos = self.here();
        let value = match self.peek()? {
            b'$' => {
                self.expect(b'$')?;
                Value::Variable(self.name()?.node)
            }
            b'-' | b'0'..=b'9' => Value::Number(self.number()?),
            b'"' => Value::String(self.string()?),
            b'[' => {
                self.expect(b'[')?;
                let mut items = Vec::new();
                while self.peek()? != b']' {
                    items.push(self.value(depth + 1)?.node);
                }
                self.expect(b']')?;
                Value::List(items)
            }
            b'{' => {
                self.expect(b'{')?;
                let mut entries = Vec::new();
                while self.peek()? != b'}' {
                    let name = self.name()?;
                    self.expect(b':')?;
                    entries.push((name.node, self.value(depth + 1)?.node));
                }
                self.expect(b'}')?;
                Value::Object(entries.into_iter().collect())
            }
            _ => {
                let (_, word) = self.word()?;
                match word {
                    "true" => Value::Boolean(true),
                    "false" => Value::Boolean(false),
                    "null" => Value::Null,
                    // pest reads `nullable` as `null` followed by `able`.
                    _ if ["true", "false", "null"]
                        .iter()
                        .any(|k| word.starts_with(k)) =>
                    {
                        return None
                    }
                    _ => Value::Enum(Name::new(word)),
                }
            }
        };
        debug_assert!(self.at > start);
        Some(Positioned::new(value, pos))
    }

    fn number(&mut self) -> Option<Number> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        // A name, a digit (after a leading zero) or a dot straight after a number is read
        // differently by pest; leave those to it.
        if self
            .peek()
            .is_some_and(|b| is_name_continue(b) || b == b'.')
        {
            return None;
        }
        let number = self.source[start..self.at].parse().ok()?;
        self.skip_ignored();
        Some(number)
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    /// A string without escapes or line breaks (others are left to async-graphql).
    fn string(&mut self) -> Option<String> {
        if self.bytes[self.at..].starts_with(b"\"\"\"") {
            return None;
        }
        self.at += 1;
        let start = self.at;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' | b'\n' | b'\r' => return None,
                _ => self.at += 1,
            }
        }
        let text = self.source[start..self.at].to_owned();
        self.at += 1;
        self.skip_ignored();
        Some(text)
    }
}

//! The engine's GraphQL parser (`assetql_graphql::parse`) against async-graphql's (pest),
//! which it replaces wherever it reads a document: on every document of a corpus (the stored
//! controls, documents written to hit each corner of the grammar) and on thousands of
//! mutations of them (bytes replaced, inserted, deleted; every prefix of some), either it
//! declines, or async-graphql's parser also succeeds and both syntax trees are the same,
//! positions included. It must read every stored control and the plain documents itself.

use assetql_graphql::parse::parse;
use assetql_tests::Rng;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument};

/// Documents this parser must read itself.
const READ_HERE: &[&str] = &[
    r#"{ ecsTaskDefinitions(where: {networkMode: "host", task_NOT: null}) { ...AssetFragment } }"#,
    r#"query Q($a: Int = 1, $b: [String!]! = ["x", "y"], $c: [[In]!] @dir(x: 1)) @op { f(a: $a, b: $ b) }"#,
    r#"{ a: f(x: -1.5e3, y: 0, z: [1, 2.0, "s", true, false, null, ENUM, {k: v, k2: [], k3: {}}], w: {}, e: 1E+2, g: -0.0e-1) @d(x: 1) @e }"#,
    "{ ... on T { a } ... @include(if: true) { b } ...F ... { c } ...onT }\nfragment F on T @d { x }",
    "{ ...on T { a } }",
    "mutation { m(x: 1) { id } }",
    "subscription S { s }",
    "query { a }",
    "query A { a } query B { b } fragment on on T { x }",
    "\u{feff}{ a }",
    "query Q {\r\n  a(x: 1)\r\n  b\r}\r\n",
    "# a comment\n{ # another\n a # trailing ünïcode ☃\n , b ,,, }",
    "{ f(s: \"héllo ☃\", t: 1) g(x: \"\") }",
    "{ f(a: {k: 1, k: 2}) }",
    "{ __typename a: __typename }",
    "{ a(x: 1)@d{b} }",
    "query\t Q\n(\n$x\n:\nInt\n=\n5\n)\n{\na\n}",
    "fragment F on T { a } { ...F }",
];

/// Documents this parser may decline (async-graphql's parser then decides).
const MAY_DECLINE: &[&str] = &[
    r#"{ f(s: "a\"b") }"#,
    r#"{ f(s: """block""") }"#,
    "{ f(a: [nullable, true1, falsey]) }",
    "{ f(a: 007) }",
    "{ f(a: 1.) }",
    "{ f(a: .5) }",
    "{ f(a: 1e) }",
    "{ f(a: -) }",
    "{ f(a: 12abc) }",
    "queryX { a }",
    "fragmentF on T { a } { ...F }",
    "{ f() }",
    "{ }",
    "{ f { } }",
    "",
    "   # nothing\n",
    "{ ... on,T { a } }",
    "{ ... on # c\n T { a } }",
    "{ ...on{ a } }",
    "query A { a } { b }",
    "{ a } { b }",
    "fragment F on T { a } fragment F on T { b } { a }",
    "query A { a } query A { b }",
    "fragment F on T { a }",
    "query ($a: Int = $b) { a }",
    "query ($a: [ Int ]) { a }",
    "{ a(x: \"line\nbreak\") }",
    "{ a } }",
    "{ a(x: {y: 1) }",
];

fn canonical(document: &ExecutableDocument) -> String {
    let operations = match &document.operations {
        DocumentOperations::Single(operation) => format!("single {operation:?}"),
        DocumentOperations::Multiple(map) => {
            let mut named: Vec<String> = map.iter().map(|(n, o)| format!("{n}: {o:?}")).collect();
            named.sort();
            format!("multiple {named:?}")
        }
    };
    let mut fragments: Vec<String> = document
        .fragments
        .iter()
        .map(|(n, f)| format!("{n}: {f:?}"))
        .collect();
    fragments.sort();
    format!("{operations}\n{fragments:?}")
}

/// Whether the two parsers agree on `source`; `true` when this one read it.
fn agree(source: &str) -> bool {
    let reference = async_graphql::parser::parse_query(source);
    match (parse(source), reference) {
        (None, _) => false,
        (Some(ours), Ok(theirs)) => {
            assert_eq!(
                canonical(&ours),
                canonical(&theirs),
                "syntax trees of {source:?}"
            );
            true
        }
        (Some(ours), Err(error)) => {
            panic!("read {source:?} as {ours:?}, but async-graphql rejects it: {error}")
        }
    }
}

fn controls() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cyscale-ecs");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .expect("control fixtures")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "graphql"))
        .map(|path| std::fs::read_to_string(path).expect("text"))
        .collect();
    texts.sort();
    texts
}

#[test]
fn stored_controls_and_plain_documents_are_read_as_async_graphql_reads_them() {
    let controls = controls();
    assert_eq!(controls.len(), 16);
    for source in controls
        .iter()
        .map(String::as_str)
        .chain(READ_HERE.iter().copied())
    {
        assert!(agree(source), "declined {source:?}");
    }
}

#[test]
fn corners_of_the_grammar_are_declined_or_read_the_same() {
    for source in MAY_DECLINE {
        agree(source);
    }
    // Deep selection sets: async-graphql's parser refuses more than 64 levels.
    for depth in [60, 64, 65, 70] {
        let source = format!("{}{}", "{a".repeat(depth), "}".repeat(depth));
        agree(&source);
    }
}

#[test]
fn mutated_documents_are_declined_or_read_the_same() {
    const PIECES: &[&str] = &[
        "{", "}", "(", ")", "[", "]", ":", "$", "@", "!", "=", "...", " ", ",", "\n", "\r", "#",
        "\"", "\\", "-", "0", "1", ".", "e", "a", "on ", "query ", "null", "true", "é", "\u{feff}",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut corpus: Vec<String> = controls();
    corpus.extend(READ_HERE.iter().map(|s| (*s).to_owned()));
    let (mut read, mut total) = (0, 0);
    for source in &corpus {
        let chars: Vec<char> = source.chars().collect();
        for _ in 0..400 {
            let mut mutated = chars.clone();
            // One or two edits.
            for _ in 0..=rng.below(2) {
                let at = rng.below(mutated.len() + 1);
                let piece: Vec<char> = PIECES[rng.below(PIECES.len())].chars().collect();
                match rng.below(3) {
                    0 if at < mutated.len() => {
                        mutated.splice(at..=at, piece);
                    }
                    1 if at < mutated.len() => {
                        mutated.remove(at);
                    }
                    _ => {
                        mutated.splice(at..at, piece);
                    }
                }
            }
            let mutated: String = mutated.into_iter().collect();
            total += 1;
            if agree(&mutated) {
                read += 1;
            }
        }
    }
    // Every prefix of a control (almost all malformed).
    for source in controls().iter().take(2) {
        for (end, _) in source.char_indices() {
            total += 1;
            if agree(&source[..end]) {
                read += 1;
            }
        }
    }
    // Many mutations leave a valid document, which this parser must then read.
    eprintln!("read {read} of {total} mutated documents");
    assert!(
        read * 10 > total,
        "read {read} of {total} mutated documents"
    );
}

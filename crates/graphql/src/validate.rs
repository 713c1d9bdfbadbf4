//! A fast, conservative validator for the documents assetql sees most: queries without
//! directives over the generated schemas (the stored controls, dashboards, ad hoc filters),
//! with or without variables.
//!
//! async-graphql's validation checks each input-object literal by walking every field the
//! input type declares and hashing its name; the generated where-types declare hundreds (every
//! field times every operator), so validating one control took ~100 µs, most of a first-seen
//! request. This validator walks the document instead: each literal key is looked up once.
//!
//! It answers [`Verdict::Valid`] only when every rule async-graphql's strict validation applies
//! is certain to pass; the executor then runs the document with validation skipped
//! (`ValidationMode::Fast`). [`Verdict::Invalid`] means the strict validation is certain to
//! fail, for the exact reasons that tell the dialects apart (an unknown field, argument or
//! input field), so the engine need not try that dialect. Anything else is
//! [`Verdict::Unsure`], and the strict validation decides and reports, as before. The
//! differential test `tests/tests/validation.rs` holds the two to that contract.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, FragmentDefinition, OperationType, Selection,
    SelectionSet, VariableDefinition,
};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Name, Positioned, Variables};
use async_graphql_value::Value;

/// What the strict validation would say about a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It would pass.
    Valid,
    /// It would pass, but a where-filter gives a plain value where this dialect expects an
    /// operator object (`networkMode: "host"` in the current dialect, whose filter is
    /// `networkMode: {eq: "host"}`): async-graphql lets that through and the resolver refuses
    /// it with `GRAPHQL_VALIDATION_FAILED`, so the engine tries another dialect first.
    ScalarFilter,
    /// It would fail: the document names a field, argument or input field the schema lacks.
    Invalid,
    /// Not decided here.
    Unsure,
}

type Checked = Result<(), Verdict>;

/// The input-object types of a schema with a field that must be given (non-null, no
/// default), worked out once per schema so a literal's type is not searched for them.
#[derive(Debug, Default)]
pub struct RequiredInputs(HashSet<String>);

impl RequiredInputs {
    /// The input types of `registry` with a required field.
    pub fn of(registry: &Registry) -> Self {
        RequiredInputs(
            registry
                .types
                .values()
                .filter_map(|ty| match ty {
                    MetaType::InputObject {
                        name, input_fields, ..
                    } if input_fields
                        .values()
                        .any(|f| is_required(&f.ty) && f.default_value.is_none()) =>
                    {
                        Some(name.clone())
                    }
                    _ => None,
                })
                .collect(),
        )
    }
}

/// The strict validation's outcome for `document` with the request's `variables` against
/// `registry` (whose [`RequiredInputs`] are `required`), where this validator is certain of
/// it. `Valid` also means the executor finds the operation to run (`operation`, or the only
/// one).
pub fn verdict(
    registry: &Registry,
    required: &RequiredInputs,
    document: &ExecutableDocument,
    operation: Option<&str>,
    variables: Option<&Variables>,
) -> Verdict {
    let found = match (&document.operations, operation) {
        (DocumentOperations::Single(_), None) => true,
        (DocumentOperations::Multiple(operations), None) => operations.len() == 1,
        (DocumentOperations::Multiple(operations), Some(name)) => operations.contains_key(name),
        (DocumentOperations::Single(_), Some(_)) => false,
    };
    match check_document(registry, required, document, variables) {
        Ok(_) if !found => Verdict::Unsure,
        Ok(true) => Verdict::ScalarFilter,
        Ok(false) => Verdict::Valid,
        Err(verdict) => verdict,
    }
}

/// `Ok(true)` when a where-filter has a plain value where an operator object is expected.
fn check_document(
    registry: &Registry,
    required: &RequiredInputs,
    document: &ExecutableDocument,
    variables: Option<&Variables>,
) -> Result<bool, Verdict> {
    let query = registry
        .types
        .get(&registry.query_type)
        .ok_or(Verdict::Unsure)?;
    // Variables only in a document of one operation: each fragment then sees its definitions.
    let mut definitions: &[Positioned<VariableDefinition>] = &[];
    for (_, operation) in document.operations.iter() {
        if !operation.node.variable_definitions.is_empty() {
            if document.operations.iter().count() > 1 {
                return Err(Verdict::Unsure);
            }
            definitions = &operation.node.variable_definitions;
        }
    }
    let walker = Walker {
        registry,
        required,
        fragments: &document.fragments,
        in_where: Cell::new(false),
        scalar_filter: Cell::new(false),
        definitions,
        variables,
        used: RefCell::new(Vec::new()),
    };
    walker.variable_definitions()?;
    let mut used = HashSet::new();
    for (_, operation) in document.operations.iter() {
        let operation = &operation.node;
        if operation.ty != OperationType::Query || !operation.directives.is_empty() {
            return Err(Verdict::Unsure);
        }
        walker.selection_set(query, &operation.selection_set.node)?;
        walker.spread_fragments(&operation.selection_set.node, &mut used, &mut Vec::new())?;
    }
    for (name, fragment) in &document.fragments {
        // Unused fragments are an error.
        if !used.contains(name.as_str()) {
            return Err(Verdict::Unsure);
        }
        let fragment = &fragment.node;
        if !fragment.directives.is_empty() {
            return Err(Verdict::Unsure);
        }
        let ty = walker.composite(fragment.type_condition.node.on.node.as_str())?;
        walker.selection_set(ty, &fragment.selection_set.node)?;
    }
    // Unused variables are an error.
    let used = walker.used.borrow();
    if definitions
        .iter()
        .any(|d| !used.contains(&d.node.name.node.as_str()))
    {
        return Err(Verdict::Unsure);
    }
    Ok(walker.scalar_filter.get())
}

struct Walker<'a> {
    registry: &'a Registry,
    required: &'a RequiredInputs,
    /// Whether the value being checked is (inside) a `where` argument.
    in_where: Cell<bool>,
    /// Whether a `where` argument has a plain value where an input object is expected.
    scalar_filter: Cell<bool>,
    /// The operation's variable definitions.
    definitions: &'a [Positioned<VariableDefinition>],
    /// The request's variable values.
    variables: Option<&'a Variables>,
    /// The variables the document uses.
    used: RefCell<Vec<&'a str>>,
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
}

impl<'a> Walker<'a> {
    /// The object, interface or union type named `name`.
    fn composite(&self, name: &str) -> Result<&'a MetaType, Verdict> {
        match self.registry.types.get(name) {
            Some(
                ty
                @ (MetaType::Object { .. } | MetaType::Interface { .. } | MetaType::Union { .. }),
            ) if !has_visibility(ty) => Ok(ty),
            _ => Err(Verdict::Unsure),
        }
    }

    /// Records the fragments `set` spreads, directly or through other fragments, in `used`;
    /// a cycle (`path` is the chain of spreads being followed) is left to the strict rules.
    fn spread_fragments(
        &self,
        set: &'a SelectionSet,
        used: &mut HashSet<&'a str>,
        path: &mut Vec<&'a str>,
    ) -> Checked {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    self.spread_fragments(&field.node.selection_set.node, used, path)?;
                }
                Selection::InlineFragment(inline) => {
                    self.spread_fragments(&inline.node.selection_set.node, used, path)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if path.contains(&name) {
                        return Err(Verdict::Unsure);
                    }
                    let fragment = self.fragments.get(name).ok_or(Verdict::Unsure)?;
                    if used.insert(name) {
                        path.push(name);
                        self.spread_fragments(&fragment.node.selection_set.node, used, path)?;
                        path.pop();
                    }
                }
            }
        }
        Ok(())
    }

    fn selection_set(&self, parent: &'a MetaType, set: &'a SelectionSet) -> Checked {
        self.no_conflicts(set)?;
        for item in &set.items {
            if !item.node.directives().is_empty() {
                return Err(Verdict::Unsure);
            }
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    if name == "__typename" {
                        if !field.arguments.is_empty() || !field.selection_set.node.items.is_empty()
                        {
                            return Err(Verdict::Unsure);
                        }
                        continue;
                    }
                    if name.starts_with("__") {
                        return Err(Verdict::Unsure);
                    }
                    let fields = match parent {
                        MetaType::Object { fields, .. } | MetaType::Interface { fields, .. } => {
                            fields
                        }
                        _ => return Err(Verdict::Unsure),
                    };
                    let meta = fields.get(name).ok_or(Verdict::Invalid)?;
                    if meta.visible.is_some() {
                        return Err(Verdict::Unsure);
                    }
                    let mut seen: Vec<&str> = Vec::with_capacity(field.arguments.len());
                    for (argument, value) in &field.arguments {
                        let argument = argument.node.as_str();
                        if seen.contains(&argument) {
                            return Err(Verdict::Unsure);
                        }
                        seen.push(argument);
                        let input = meta.args.get(argument).ok_or(Verdict::Invalid)?;
                        if input.visible.is_some() {
                            return Err(Verdict::Unsure);
                        }
                        self.in_where.set(argument == "where");
                        self.argument(&input.ty, &value.node)?;
                    }
                    let missing = meta.args.values().any(|input| {
                        is_required(&input.ty)
                            && input.default_value.is_none()
                            && !seen.contains(&input.name.as_str())
                    });
                    if missing {
                        return Err(Verdict::Unsure);
                    }
                    let ty = self
                        .registry
                        .concrete_type_by_name(&meta.ty)
                        .ok_or(Verdict::Unsure)?;
                    let children = &field.selection_set.node;
                    if ty.is_leaf() != children.items.is_empty() || has_visibility(ty) {
                        return Err(Verdict::Unsure);
                    }
                    if !ty.is_leaf() {
                        self.selection_set(ty, children)?;
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let fragment = self
                        .fragments
                        .get(spread.node.fragment_name.node.as_str())
                        .ok_or(Verdict::Unsure)?;
                    let on = self.composite(fragment.node.type_condition.node.on.node.as_str())?;
                    if !parent.type_overlap(on) {
                        return Err(Verdict::Unsure);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = match &inline.node.type_condition {
                        Some(condition) => {
                            let on = self.composite(condition.node.on.node.as_str())?;
                            if !parent.type_overlap(on) {
                                return Err(Verdict::Unsure);
                            }
                            on
                        }
                        None => parent,
                    };
                    self.selection_set(on, &inline.node.selection_set.node)?;
                }
            }
        }
        Ok(())
    }

    /// Fields that share a response key in one selection set (fragments included) merge only
    /// when they are the same leaf field without arguments; anything else is left to the
    /// strict rules.
    fn no_conflicts(&self, set: &'a SelectionSet) -> Checked {
        let mut keys: Vec<(&'a str, &'a str)> = Vec::new();
        let mut visited: Vec<&'a str> = Vec::new();
        self.collect_keys(set, &mut keys, &mut visited)?;
        keys.sort_unstable();
        for pair in keys.windows(2) {
            if pair[0].0 == pair[1].0 && pair[0].1 != pair[1].1 {
                return Err(Verdict::Unsure);
            }
        }
        Ok(())
    }

    /// The (response key, field name) of each field `set` selects, fragments included; a
    /// repeated key that is not a plain leaf field without arguments is `Unsure`, marked here
    /// by a name no field has.
    fn collect_keys(
        &self,
        set: &'a SelectionSet,
        keys: &mut Vec<(&'a str, &'a str)>,
        visited: &mut Vec<&'a str>,
    ) -> Checked {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.alias.as_ref().unwrap_or(&field.name).node.as_str();
                    let plain =
                        field.arguments.is_empty() && field.selection_set.node.items.is_empty();
                    // A field with arguments or a selection may repeat its key only if the
                    // strict rules say so.
                    let name = if plain { field.name.node.as_str() } else { "" };
                    if keys
                        .iter()
                        .any(|(k, n)| *k == key && (n.is_empty() || name.is_empty()))
                    {
                        return Err(Verdict::Unsure);
                    }
                    keys.push((key, name));
                }
                Selection::InlineFragment(inline) => {
                    self.collect_keys(&inline.node.selection_set.node, keys, visited)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if visited.contains(&name) {
                        continue;
                    }
                    visited.push(name);
                    let fragment = self.fragments.get(name).ok_or(Verdict::Unsure)?;
                    self.collect_keys(&fragment.node.selection_set.node, keys, visited)?;
                }
            }
        }
        Ok(())
    }

    /// Unique variables of input types, with defaults that fit them.
    fn variable_definitions(&self) -> Checked {
        for (n, definition) in self.definitions.iter().enumerate() {
            let definition = &definition.node;
            let name = definition.name.node.as_str();
            if !definition.directives.is_empty()
                || self.definitions[..n]
                    .iter()
                    .any(|d| d.node.name.node.as_str() == name)
            {
                return Err(Verdict::Unsure);
            }
            let mut base = &definition.var_type.node.base;
            while let BaseType::List(inner) = base {
                base = &inner.base;
            }
            let BaseType::Named(type_name) = base else {
                return Err(Verdict::Unsure);
            };
            match self.registry.types.get(type_name.as_str()) {
                Some(
                    ty @ (MetaType::Scalar { .. }
                    | MetaType::Enum { .. }
                    | MetaType::InputObject { .. }),
                ) if !has_visibility(ty) => {}
                _ => return Err(Verdict::Unsure),
            }
            if let Some(default) = &definition.default_value {
                self.in_where.set(false);
                let ty = definition.var_type.node.to_string();
                self.value(&ty, &default.node.clone().into_value())
                    .map_err(|_| Verdict::Unsure)?;
            }
        }
        Ok(())
    }

    /// An argument's value: its variables where they may stand, then the value with the
    /// request's variables in place, checked as async-graphql checks it (which it does not
    /// when the request lacks one of them).
    fn argument(&self, ty: &str, value: &'a Value) -> Checked {
        if !has_variables(value) {
            return self.value(ty, value);
        }
        self.variables_in(ty, value)?;
        let given = value.clone().into_const_with(|name| {
            self.variables
                .and_then(|variables| variables.get(&name))
                .cloned()
                .ok_or(())
        });
        match given {
            Ok(given) => self.value(ty, &given.into_value()),
            Err(()) => Ok(()),
        }
    }

    /// The variables in `value` (at a position of type `ty`): defined, and of a type the
    /// position accepts (async-graphql's `VariableInAllowedPosition`, with its notion of a
    /// variable's position).
    fn variables_in(&self, ty: &str, value: &'a Value) -> Checked {
        let position = MetaTypeName::create(ty);
        match value {
            Value::Variable(name) => {
                let definition = self
                    .definitions
                    .iter()
                    .find(|d| d.node.name.node == *name)
                    .ok_or(Verdict::Unsure)?;
                self.used.borrow_mut().push(name.as_str());
                let defined = &definition.node;
                let expected = if defined.var_type.node.nullable && defined.default_value.is_some()
                {
                    format!("{}!", defined.var_type.node)
                } else {
                    defined.var_type.node.to_string()
                };
                if position.is_subtype(&MetaTypeName::create(&expected)) {
                    Ok(())
                } else {
                    Err(Verdict::Unsure)
                }
            }
            Value::List(items) => match position.unwrap_non_null() {
                MetaTypeName::List(inner) => items
                    .iter()
                    .try_for_each(|item| self.variables_in(inner, item)),
                _ if has_variables(value) => Err(Verdict::Unsure),
                _ => Ok(()),
            },
            Value::Object(entries) => {
                let fields = match position.unwrap_non_null() {
                    MetaTypeName::Named(name) => match self.registry.types.get(name) {
                        Some(MetaType::InputObject { input_fields, .. }) => Some(input_fields),
                        _ => None,
                    },
                    _ => None,
                };
                for (key, entry) in entries {
                    match fields.and_then(|fields| fields.get(key.as_str())) {
                        Some(field) => self.variables_in(&field.ty, entry)?,
                        None if has_variables(entry) => return Err(Verdict::Unsure),
                        None => {}
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Whether the literal `value` fits the input type `ty`, by async-graphql's rules
    /// (`is_valid_input_value`), walking the literal rather than the type.
    /// Variables are left to the strict rules.
    fn value(&self, ty: &str, value: &Value) -> Checked {
        if matches!(value, Value::Variable(_)) {
            return Err(Verdict::Unsure);
        }
        match MetaTypeName::create(ty) {
            MetaTypeName::NonNull(inner) => match value {
                Value::Null => Err(Verdict::Unsure),
                _ => self.value(inner, value),
            },
            MetaTypeName::List(inner) => match value {
                Value::List(items) => items.iter().try_for_each(|item| self.value(inner, item)),
                Value::Null => Ok(()),
                _ => self.value(inner, value),
            },
            MetaTypeName::Named(name) => {
                if matches!(value, Value::Null) {
                    return Ok(());
                }
                let ty = self.registry.types.get(name).ok_or(Verdict::Unsure)?;
                if has_visibility(ty) {
                    return Err(Verdict::Unsure);
                }
                match ty {
                    MetaType::Scalar { is_valid, .. } => match is_valid {
                        Some(is_valid) => {
                            let value = value.clone().into_const().ok_or(Verdict::Unsure)?;
                            if is_valid(&value) {
                                Ok(())
                            } else {
                                Err(Verdict::Unsure)
                            }
                        }
                        None => Ok(()),
                    },
                    MetaType::Enum { enum_values, .. } => match value {
                        Value::Enum(item) if enum_values.contains_key(item.as_str()) => Ok(()),
                        Value::String(item) if enum_values.contains_key(item.as_str()) => Ok(()),
                        _ => Err(Verdict::Unsure),
                    },
                    MetaType::InputObject {
                        input_fields,
                        oneof,
                        ..
                    } => match value {
                        Value::Object(entries) => {
                            if *oneof {
                                return Err(Verdict::Unsure);
                            }
                            for (key, entry) in entries {
                                let field =
                                    input_fields.get(key.as_str()).ok_or(Verdict::Invalid)?;
                                if field.visible.is_some() {
                                    return Err(Verdict::Unsure);
                                }
                                self.value(&field.ty, entry)?;
                            }
                            let missing = self.required.0.contains(name)
                                && input_fields.values().any(|field| {
                                    is_required(&field.ty)
                                        && field.default_value.is_none()
                                        && !entries.contains_key(field.name.as_str())
                                });
                            if missing {
                                return Err(Verdict::Unsure);
                            }
                            Ok(())
                        }
                        // async-graphql's validation lets a non-object through to the
                        // resolver, which reports it.
                        _ => {
                            if self.in_where.get() {
                                self.scalar_filter.set(true);
                            }
                            Ok(())
                        }
                    },
                    _ => Err(Verdict::Unsure),
                }
            }
        }
    }
}

fn has_variables(value: &Value) -> bool {
    match value {
        Value::Variable(_) => true,
        Value::List(items) => items.iter().any(has_variables),
        Value::Object(entries) => entries.values().any(has_variables),
        _ => false,
    }
}

fn is_required(ty: &str) -> bool {
    ty.ends_with('!')
}

fn has_visibility(ty: &MetaType) -> bool {
    match ty {
        MetaType::Scalar { visible, .. }
        | MetaType::Object { visible, .. }
        | MetaType::Interface { visible, .. }
        | MetaType::Union { visible, .. }
        | MetaType::Enum { visible, .. }
        | MetaType::InputObject { visible, .. } => visible.is_some(),
    }
}

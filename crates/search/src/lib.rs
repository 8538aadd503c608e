//! The product index: what buyers search in Chinese, Uyghur and English.
//!
//! Chinese text is segmented by jieba (search mode when indexing, so a long word is also found
//! by its parts); Uyghur and English text by a simple tokenizer, lower-cased, and matched by
//! prefix (Uyghur adds suffixes, English plurals: `ياڭاق` finds `ياڭاقلىرى`, `walnut` finds
//! `walnuts`). Traditional characters are folded to simplified ones when indexing and when
//! querying, so `紅棗` finds `红枣`. Names weigh more than stories; products in stock come first.
//!
//! The index is fed from the store: [`ProductIndex::reindex`] rebuilds it from every product,
//! and [`Indexer`] follows product changes in the background (a change is searchable within
//! a second).

mod indexer;

pub use indexer::Indexer;

use std::collections::HashMap;
use std::ops::Bound;
use std::path::Path;

use farmgate_domain::lang::Language;
use farmgate_store::Store;
use farmgate_store::catalog::{Category, Product};
use farmgate_store::regions::Region;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer, TokenStream};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tantivy_jieba::JiebaTokenizer;

/// Bump when the schema or the analysis changes: an index of another version is rebuilt.
const SCHEMA_VERSION: &str = "1";
const WRITER_MEMORY: usize = 50_000_000;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index files: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] farmgate_store::Error),
    #[error("the search index is in use by another process (stop `farmgate serve` first)")]
    Locked,
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    name_zh: Field,
    story_zh: Field,
    name_intl: Field,
    story_intl: Field,
    place: Field,
    place_zh: Field,
    category: Field,
    region: Field,
    price: Field,
    in_stock: Field,
    sales: Field,
    created: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | STORED | FAST),
        name_zh: builder.add_text_field("name_zh", text("zh")),
        story_zh: builder.add_text_field("story_zh", text("zh")),
        name_intl: builder.add_text_field("name_intl", text("intl")),
        story_intl: builder.add_text_field("story_intl", text("intl")),
        place: builder.add_text_field("place", text("intl")),
        place_zh: builder.add_text_field("place_zh", text("zh")),
        category: builder.add_u64_field("category", INDEXED),
        region: builder.add_u64_field("region", INDEXED),
        price: builder.add_u64_field("price", INDEXED | FAST),
        in_stock: builder.add_u64_field("in_stock", INDEXED | FAST),
        sales: builder.add_u64_field("sales", FAST),
        created: builder.add_i64_field("created", FAST),
    };
    (builder.build(), fields)
}

fn register_tokenizers(index: &Index) {
    index.tokenizers().register(
        "zh",
        TextAnalyzer::builder(JiebaTokenizer::new())
            .filter(LowerCaser)
            .build(),
    );
    // Queries are cut into whole words, which search-mode indexing also holds.
    index.tokenizers().register(
        "zh_query",
        TextAnalyzer::builder(JiebaTokenizer::with_search_mode(false))
            .filter(LowerCaser)
            .build(),
    );
    index.tokenizers().register(
        "intl",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// Simplified Chinese for traditional characters; everything else is left as it is.
pub fn fold(text: &str) -> String {
    zhconv::zhconv(text, zhconv::Variant::ZhHans)
}

/// The forms a Uyghur word takes before a suffix, so a query in the dictionary form finds the
/// word inflected: the last syllable's ا/ە weakens to ى/ې (ياڭاق > ياڭىقى, "its walnut"), and a
/// final ق/ك voices to غ/گ. Other words come back as they are.
pub fn uyghur_stems(word: &str) -> Vec<String> {
    let mut forms = vec![word.to_owned()];
    let chars: Vec<char> = word.chars().collect();
    let is_vowel = |c: char| "اەوۇۆۈېى".contains(c);
    let n = chars.len();
    if n < 3 || !chars.iter().all(|c| ('\u{0600}'..='\u{06FF}').contains(c)) {
        return forms;
    }
    let last = chars[n - 1];
    let voiced = match last {
        'ق' => Some('غ'),
        'ك' => Some('گ'),
        _ => None,
    };
    let mut bases = vec![chars.clone()];
    if let Some(v) = voiced {
        let mut c = chars.clone();
        c[n - 1] = v;
        bases.push(c);
    }
    for base in bases {
        let mut weakened = base.clone();
        if !is_vowel(last) && matches!(weakened[n - 2], 'ا' | 'ە') {
            weakened[n - 2] = if weakened[n - 2] == 'ا' { 'ى' } else { 'ې' };
        }
        for form in [base, weakened] {
            let form: String = form.into_iter().collect();
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
    }
    forms
}

/// Singular forms of an English plural (`walnuts` > `walnut`, `berries` > `berr`), matched
/// as prefixes like every Uyghur and English word.
pub fn english_singulars(word: &str) -> Vec<String> {
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return Vec::new();
    }
    let mut forms = Vec::new();
    for suffix in ["ies", "es", "s"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && stem.len() >= 3
        {
            forms.push(stem.to_owned());
        }
    }
    forms
}

fn has_han(token: &str) -> bool {
    token
        .chars()
        .any(|c| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF))
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// In stock first, then the best match.
    #[default]
    Relevance,
    Newest,
    PriceLow,
    PriceHigh,
    Sales,
}

impl SortBy {
    pub fn parse(text: &str) -> Option<SortBy> {
        Some(match text {
            "relevance" | "" => SortBy::Relevance,
            "newest" => SortBy::Newest,
            "price_asc" => SortBy::PriceLow,
            "price_desc" => SortBy::PriceHigh,
            "sales" => SortBy::Sales,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::Relevance => "relevance",
            SortBy::Newest => "newest",
            SortBy::PriceLow => "price_asc",
            SortBy::PriceHigh => "price_desc",
            SortBy::Sales => "sales",
        }
    }
}

/// A search as the buyer asked for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub text: String,
    pub category_id: Option<i64>,
    /// A region (county, township, village): products from inside it.
    pub region_id: Option<i64>,
    pub min_price_fen: Option<i64>,
    pub max_price_fen: Option<i64>,
    pub in_stock_only: bool,
    pub sort: SortBy,
    pub limit: usize,
    pub offset: usize,
}

/// A page of results: product ids in order, and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResults {
    pub product_ids: Vec<i64>,
    pub total: usize,
}

/// What the index needs to know besides the products: names of places and categories.
pub struct Context {
    regions: HashMap<i64, Region>,
    categories: HashMap<i64, Category>,
}

impl Context {
    pub async fn load(store: &Store) -> Result<Context> {
        Ok(Context {
            regions: store
                .all_regions()
                .await?
                .into_iter()
                .map(|r| (r.id, r))
                .collect(),
            categories: store
                .categories()
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect(),
        })
    }
}

pub struct ProductIndex {
    index: Index,
    reader: IndexReader,
    /// One writer per index: tantivy's rule. Async so that a rebuild can hold it across the
    /// store's awaits; `update` (blocking) takes it with `blocking_lock`.
    writer: tokio::sync::Mutex<IndexWriter>,
    fields: Fields,
}

impl std::fmt::Debug for ProductIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProductIndex").finish_non_exhaustive()
    }
}

impl ProductIndex {
    /// An index in memory (tests, and a server with no data directory).
    pub fn in_memory() -> Result<ProductIndex> {
        let (schema, fields) = schema();
        ProductIndex::from_index(Index::create_in_ram(schema), fields)
    }

    /// Opens the index in `dir`, creating it when there is none. The flag is true when the
    /// index is new or was made by another version and must be filled with `reindex`.
    pub fn open(dir: &Path) -> Result<(ProductIndex, bool)> {
        std::fs::create_dir_all(dir)?;
        let version_file = dir.join("farmgate-schema-version");
        let current = std::fs::read_to_string(&version_file).ok();
        let (schema, fields) = schema();
        let stale = current.as_deref() != Some(SCHEMA_VERSION);
        if stale {
            for entry in std::fs::read_dir(dir)? {
                let path = entry?.path();
                if path.is_file() {
                    std::fs::remove_file(path)?;
                }
            }
        }
        let directory = tantivy::directory::MmapDirectory::open(dir)?;
        let index = Index::open_or_create(directory, schema)?;
        std::fs::write(&version_file, SCHEMA_VERSION)?;
        let empty = index.load_metas()?.segments.is_empty();
        Ok((ProductIndex::from_index(index, fields)?, stale || empty))
    }

    fn from_index(index: Index, fields: Fields) -> Result<ProductIndex> {
        register_tokenizers(&index);
        let writer = index.writer(WRITER_MEMORY).map_err(|err| match err {
            tantivy::TantivyError::LockFailure(..) => SearchError::Locked,
            other => SearchError::Index(other),
        })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(ProductIndex {
            index,
            reader,
            writer: tokio::sync::Mutex::new(writer),
            fields,
        })
    }

    fn document(&self, product: &Product, context: &Context) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, product.id as u64);
        for text in &product.texts {
            match text.language {
                Language::ZhCn => {
                    doc.add_text(f.name_zh, fold(&text.name));
                    doc.add_text(f.story_zh, fold(&text.story));
                }
                Language::Ug | Language::En => {
                    doc.add_text(f.name_intl, &text.name);
                    doc.add_text(f.story_intl, &text.story);
                }
            }
        }
        let mut category = context.categories.get(&product.category_id);
        while let Some(c) = category {
            doc.add_u64(f.category, c.id as u64);
            doc.add_text(f.place_zh, &c.name_zh);
            doc.add_text(f.place, &c.name_ug);
            doc.add_text(f.place, &c.name_en);
            category = c.parent_id.and_then(|p| context.categories.get(&p));
        }
        let mut region = context.regions.get(&product.origin_id);
        while let Some(r) = region {
            doc.add_u64(f.region, r.id as u64);
            doc.add_text(f.place, &r.name_en);
            if let Some(ug) = &r.name_ug {
                doc.add_text(f.place, ug);
            }
            doc.add_text(f.place_zh, &r.name_zh);
            region = r.parent_id.and_then(|p| context.regions.get(&p));
        }
        let price = product
            .variants
            .iter()
            .map(|v| v.spec.price.0)
            .min()
            .unwrap_or(0);
        let in_stock =
            product.status.is_for_sale() && product.variants.iter().any(|v| v.spec.stock > 0);
        doc.add_u64(f.price, price.max(0) as u64);
        doc.add_u64(f.in_stock, u64::from(in_stock));
        doc.add_u64(f.sales, product.sales_count.max(0) as u64);
        doc.add_i64(f.created, product.created_at.timestamp());
        doc
    }

    /// Puts these products in the index as they are now (listed and paused ones in, others out), without
    /// committing.
    fn stage(&self, writer: &IndexWriter, products: &[Product], context: &Context) -> Result<()> {
        for product in products {
            writer.delete_term(Term::from_field_u64(self.fields.id, product.id as u64));
            if product.status.is_public() {
                writer.add_document(self.document(product, context))?;
            }
        }
        Ok(())
    }

    /// Takes products out of the index (deleted ones), without committing.
    fn unstage(&self, writer: &IndexWriter, ids: &[i64]) {
        for id in ids {
            writer.delete_term(Term::from_field_u64(self.fields.id, *id as u64));
        }
    }

    fn commit(&self, writer: &mut IndexWriter) -> Result<()> {
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Updates these products (and removes `gone` ids) and makes them searchable.
    /// Blocking: call it from `spawn_blocking` or a plain thread.
    pub fn update(&self, products: &[Product], gone: &[i64], context: &Context) -> Result<()> {
        let mut writer = self.writer.blocking_lock();
        self.stage(&writer, products, context)?;
        self.unstage(&writer, gone);
        self.commit(&mut writer)
    }

    /// Adds products without making them searchable yet (for loading many at once; blocking).
    /// [`ProductIndex::finish_bulk`] commits them.
    pub fn add_bulk(&self, products: &[Product], context: &Context) -> Result<()> {
        let writer = self.writer.blocking_lock();
        self.stage(&writer, products, context)
    }

    /// Commits what `add_bulk` added (blocking).
    pub fn finish_bulk(&self) -> Result<()> {
        let mut writer = self.writer.blocking_lock();
        self.commit(&mut writer)
    }

    /// Rebuilds the whole index from the store, `batch` products at a time, calling
    /// `progress(done, total)` after each batch. Searches keep seeing the old index until the
    /// new one is committed.
    pub async fn reindex(
        &self,
        store: &Store,
        batch: u64,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<u64> {
        let context = Context::load(store).await?;
        let total = store.product_count().await?;
        let mut writer = self.writer.lock().await;
        writer.delete_all_documents()?;
        let (mut after, mut done) = (0, 0);
        loop {
            let products = store.products_after(after, batch).await?;
            let Some(last) = products.last() else { break };
            after = last.id;
            done += products.len() as u64;
            self.stage(&writer, &products, &context)?;
            progress(done, total);
        }
        self.commit(&mut writer)?;
        Ok(done)
    }

    fn tokens(&self, analyzer: &str, text: &str) -> Vec<String> {
        let Some(mut analyzer) = self.index.tokenizers().get(analyzer) else {
            return Vec::new();
        };
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            if !token.text.trim().is_empty() && !out.contains(&token.text) {
                out.push(token.text.clone());
            }
        }
        out
    }

    /// One clause per word of the query: the word in a name, a story or a place name.
    fn word_clauses(&self, text: &str) -> Vec<Box<dyn Query>> {
        let f = self.fields;
        let folded = fold(text).to_lowercase();
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        for word in self.query_words(&folded) {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            if has_han(&word) {
                for (field, boost) in [(f.name_zh, 3.0), (f.story_zh, 1.0), (f.place_zh, 0.5)] {
                    let term = Term::from_field_text(field, &word);
                    any.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                            boost,
                        )),
                    ));
                }
            } else {
                let mut forms = uyghur_stems(&word);
                forms.extend(english_singulars(&word));
                for form in forms {
                    for (field, boost) in [(f.name_intl, 3.0), (f.story_intl, 1.0), (f.place, 0.5)]
                    {
                        let term = Term::from_field_text(field, &form);
                        let query: Box<dyn Query> = if form.chars().count() >= 3 {
                            Box::new(FuzzyTermQuery::new_prefix(term, 0, true))
                        } else {
                            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
                        };
                        any.push((Occur::Should, Box::new(BoostQuery::new(query, boost))));
                    }
                }
            }
            clauses.push(Box::new(BooleanQuery::new(any)));
        }
        clauses
    }

    fn query_words(&self, folded: &str) -> Vec<String> {
        let mut words = Vec::new();
        for piece in folded.split_whitespace() {
            let analyzer = if has_han(piece) { "zh_query" } else { "intl" };
            for token in self.tokens(analyzer, piece) {
                if !words.contains(&token) {
                    words.push(token);
                }
            }
        }
        words
    }

    fn filters(&self, query: &SearchQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let mut filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(category) = query.category_id {
            filters.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.category, category as u64),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(region) = query.region_id {
            filters.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.region, region as u64),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if query.min_price_fen.is_some() || query.max_price_fen.is_some() {
            let bound = |v: Option<i64>| match v {
                Some(fen) => Bound::Included(Term::from_field_u64(f.price, fen.max(0) as u64)),
                None => Bound::Unbounded,
            };
            filters.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    bound(query.min_price_fen),
                    bound(query.max_price_fen),
                )),
            ));
        }
        if query.in_stock_only {
            filters.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.in_stock, 1),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        filters
    }

    /// Runs a search. Every word must match somewhere; when that finds nothing, products
    /// matching any word are shown instead.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        let strict = self.run(query, Occur::Must)?;
        if strict.total > 0 || query.text.split_whitespace().count() == 0 {
            return Ok(strict);
        }
        self.run(query, Occur::Should)
    }

    fn run(&self, query: &SearchQuery, words_occur: Occur) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let mut clauses = self.filters(query);
        let words = self.word_clauses(&query.text);
        let has_words = !words.is_empty();
        if has_words {
            let words: Vec<(Occur, Box<dyn Query>)> =
                words.into_iter().map(|q| (words_occur, q)).collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(words))));
        }
        if clauses.is_empty() {
            clauses.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
        }
        let boolean = BooleanQuery::new(clauses);
        let limit = query.limit.clamp(1, 200);
        let top = TopDocs::with_limit(limit).and_offset(query.offset);
        let f = self.fields;
        let (addresses, total): (Vec<DocAddress>, usize) = match query.sort {
            SortBy::Relevance => {
                let collector = top.tweak_score(move |segment: &tantivy::SegmentReader| {
                    let stock = segment
                        .fast_fields()
                        .u64("in_stock")
                        .map(|c| c.first_or_default_col(0))
                        .ok();
                    let sales = segment
                        .fast_fields()
                        .u64("sales")
                        .map(|c| c.first_or_default_col(0))
                        .ok();
                    move |doc: tantivy::DocId, score: tantivy::Score| {
                        let in_stock = stock.as_ref().map_or(0, |c| c.get_val(doc));
                        let sold = sales.as_ref().map_or(0, |c| c.get_val(doc));
                        // In stock first; then the match; then what sells.
                        (in_stock, score, sold)
                    }
                });
                let (docs, total) = searcher.search(&boolean, &(collector, Count))?;
                (docs.into_iter().map(|(_, a)| a).collect(), total)
            }
            SortBy::Newest => {
                let collector = top.order_by_fast_field::<i64>("created", tantivy::Order::Desc);
                let (docs, total) = searcher.search(&boolean, &(collector, Count))?;
                (docs.into_iter().map(|(_, a)| a).collect(), total)
            }
            SortBy::PriceLow | SortBy::PriceHigh | SortBy::Sales => {
                let (field, order) = match query.sort {
                    SortBy::PriceLow => ("price", tantivy::Order::Asc),
                    SortBy::PriceHigh => ("price", tantivy::Order::Desc),
                    _ => ("sales", tantivy::Order::Desc),
                };
                let collector = top.order_by_u64_field(field, order);
                let (docs, total) = searcher.search(&boolean, &(collector, Count))?;
                (docs.into_iter().map(|(_, a)| a).collect(), total)
            }
        };
        let mut product_ids = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(f.id).and_then(|v| v.as_u64()) {
                product_ids.push(id as i64);
            }
        }
        Ok(SearchResults { product_ids, total })
    }

    /// How many products the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
